"""`gongkai-synth` (or `python -m builder.synth`): a synthetic corpus for tests and benchmarks.
A command of its own, so that nothing of the production build imports the synthetic corpora."""

from __future__ import annotations

from pathlib import Path

import click

from builder.synth.corpus import write_corpus


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("count", type=click.IntRange(min=1))
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder to write the reports to.")
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed writes the same corpus.")
def synth(count: int, out: Path, seed: int) -> None:
    """Write a synthetic corpus of COUNT reports: both templates, text, HTML and Word files,
    agencies from townships to cities over several years, some with blank cells, broken
    rules or missing tables.

    \b
    Example:
        gongkai-synth 1000 --out /tmp/corpus --seed 1
        gongkai build --reports /tmp/corpus --package /tmp/package --site /tmp/site
    """
    written = write_corpus(out, count, seed)
    click.echo(f"已写入 {len(written)} 份合成报告：{out}/")


def main() -> None:
    synth()


if __name__ == "__main__":
    main()
