// Progress of `paystream demo` on stderr (so `--json` leaves stdout to the one JSON object): a
// cli-progress bar per phase on a terminal, one line per phase otherwise, nothing when quiet.

import cliProgress from 'cli-progress';

export class DemoProgress {
  #bar: cliProgress.SingleBar | null = null;

  constructor(private readonly enabled: boolean) {}

  /** Starts a phase of `total` steps (0: a phase without a count). */
  phase(name: string, total = 0): void {
    this.done();
    if (!this.enabled) return;
    if (!process.stderr.isTTY || total === 0) {
      process.stderr.write(`demo: ${name}${total > 0 ? ` (${total})` : ''}\n`);
      return;
    }
    this.#bar = new cliProgress.SingleBar(
      {
        format: `demo: ${name.padEnd(34)} |{bar}| {value}/{total}`,
        hideCursor: true,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    this.#bar.start(total, 0);
  }

  update(value: number): void {
    this.#bar?.update(value);
  }

  done(): void {
    this.#bar?.stop();
    this.#bar = null;
  }
}
