// What every page gets: the API, who is signed in (and so what they may do), timers that stop
// when the page is left, a polite live region for results, and the one confirmation dialog.

import type { Api } from './api.js';
import { type Child, h } from './dom.js';

export type Scope = 'read' | 'write' | 'admin';

export interface Session {
  readonly tenant: { id: string; name: string };
  readonly scopes: readonly Scope[];
}

export class PageContext {
  readonly #timers: number[] = [];
  #left = false;

  constructor(
    readonly api: Api,
    readonly session: Session,
    readonly announce: (message: string, tone?: 'ok' | 'bad') => void,
  ) {}

  can(scope: Scope): boolean {
    return this.session.scopes.includes('admin') || this.session.scopes.includes(scope);
  }

  /** Runs `f` every `ms` while the page is shown (live figures). */
  every(ms: number, f: () => Promise<void>): void {
    let running = false;
    this.#timers.push(
      window.setInterval(async () => {
        if (running || this.#left || document.hidden) return;
        running = true;
        try {
          await f();
        } catch {
          // a failed refresh keeps the last figures; the next one tries again
        } finally {
          running = false;
        }
      }, ms),
    );
  }

  get left(): boolean {
    return this.#left;
  }

  leave(): void {
    this.#left = true;
    for (const t of this.#timers) window.clearInterval(t);
  }
}

export interface ConfirmOptions {
  readonly title: string;
  readonly body: Child;
  readonly confirmLabel: string;
  readonly danger?: boolean;
  /** A labelled note field; its text is passed to onConfirm. */
  readonly note?: { label: string; required: boolean };
  /** A labelled amount field (dollars); empty means "all". */
  readonly amount?: { label: string; hint: string };
  readonly choices?: { label: string; name: string; options: readonly { value: string; label: string }[] };
}

export interface Confirmed {
  readonly note: string;
  readonly amount: string;
  readonly choice: string;
}

/** One modal confirmation (native <dialog>: focus is trapped, Escape cancels). */
export function confirmAction(o: ConfirmOptions): Promise<Confirmed | null> {
  return new Promise((resolve) => {
    const noteId = `note-${Math.random().toString(36).slice(2)}`;
    const amountId = `amount-${Math.random().toString(36).slice(2)}`;
    const note = o.note
      ? h('textarea', { id: noteId, rows: 3, maxlength: 500, required: o.note.required })
      : null;
    const amount = o.amount ? h('input', { id: amountId, inputmode: 'decimal', autocomplete: 'off' }) : null;
    const choice = o.choices
      ? h(
          'fieldset',
          { class: 'choices' },
          h('legend', null, o.choices.label),
          o.choices.options.map((c, i) =>
            h(
              'label',
              null,
              h('input', { type: 'radio', name: o.choices!.name, value: c.value, checked: i === 0 }),
              ` ${c.label}`,
            ),
          ),
        )
      : null;
    const error = h('p', { class: 'form-error', role: 'alert' });
    const dialog = h(
      'dialog',
      { class: 'confirm', 'aria-labelledby': 'confirm-title' },
      h(
        'form',
        { novalidate: true },
        h('h2', { id: 'confirm-title' }, o.title),
        h('div', { class: 'confirm-body' }, o.body),
        amount &&
          h(
            'div',
            { class: 'field' },
            h('label', { for: amountId }, o.amount!.label),
            amount,
            h('small', null, o.amount!.hint),
          ),
        choice,
        note && h('div', { class: 'field' }, h('label', { for: noteId }, o.note!.label), note),
        error,
        h(
          'div',
          { class: 'actions' },
          h(
            'button',
            { type: 'button', class: 'secondary', value: 'cancel', onclick: () => dialog.close('cancel') },
            'Cancel',
          ),
          h(
            'button',
            { type: 'submit', value: 'confirm', class: o.danger ? 'danger' : 'primary' },
            o.confirmLabel,
          ),
        ),
      ),
    );
    // Handled here, never submitted: the console's CSP allows no form navigation.
    dialog.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (note && o.note?.required && note.value.trim() === '') {
        error.textContent = `${o.note.label} is required.`;
        note.focus();
        return;
      }
      dialog.close('confirm');
    });
    dialog.addEventListener('close', () => {
      const ok = dialog.returnValue === 'confirm';
      const picked = dialog.querySelector<HTMLInputElement>('input[type=radio]:checked');
      dialog.remove();
      resolve(
        ok
          ? { note: note?.value.trim() ?? '', amount: amount?.value ?? '', choice: picked?.value ?? '' }
          : null,
      );
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    (amount ?? note ?? dialog.querySelector<HTMLButtonElement>('button[value=confirm]'))?.focus();
  });
}
