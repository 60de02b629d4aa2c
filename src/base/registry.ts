/**
 * A registry of named entries — law types, programming methods, device families, tasks, PEFT
 * methods: each entry is added once, in its own section, and looked up by name with one error wording:
 *
 *   <where>: unknown <kind> '<name>'; known <plural>: a, b, c; did you mean 'x'?
 *
 * (the suggestion only for a likely typo, src/io/suggest.ts). Names keep their registration order.
 */
import { closestName } from './suggest.js';

export class Registry<T> {
  private readonly entries = new Map<string, T>();

  /** `kind` names one entry in errors ("law type"), `plural` the list ("types"). */
  constructor(readonly kind: string, readonly plural: string) {}

  /** Adds an entry; a second one with the same name is an error. */
  add(name: string, value: T): T {
    if (this.entries.has(name)) throw new Error(`${this.kind} '${name}' is already registered`);
    this.entries.set(name, value);
    return value;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The entry called `name`, or undefined. */
  find(name: string): T | undefined {
    return this.entries.get(name);
  }

  /** The entry called `name`; an unknown name throws `unknownMessage`. */
  get(name: string, where?: string): T {
    const value = this.entries.get(name);
    if (value === undefined) throw new Error(this.unknownMessage(name, where));
    return value;
  }

  /** "<where>: unknown <kind> '<name>'; known <plural>: …; did you mean '…'?" */
  unknownMessage(name: unknown, where?: string): string {
    const known = this.names();
    const best = typeof name === 'string' ? closestName(name, known) : null;
    return `${where ? `${where}: ` : ''}unknown ${this.kind} '${String(name)}'; known ${this.plural}: ${known.join(', ')}${best !== null ? `; did you mean '${best}'?` : ''}`;
  }

  /** Names in registration order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  values(): T[] {
    return [...this.entries.values()];
  }
}
