// What the server says when a call fails, read from the Connect error's
// details (AIP-193): google.rpc.BadRequest field violations, to show each
// beside its form field, and google.rpc.RetryInfo, to wait before trying
// again. The two messages are decoded from their wire form here rather
// than generated: they are two small messages, and generating them would
// mean vendoring googleapis' error_details.proto into the repository.
import { Code, ConnectError } from "@connectrpc/connect";
import { BinaryReader } from "@bufbuild/protobuf/wire";

/** One broken rule of a request: the field's proto path and what is wrong. */
export interface FieldViolation {
  /** Proto path as the server names it: `offer.title`, `demand.budget.max_yuan`, `offer.keywords[3]`. */
  field: string;
  description: string;
}

/** The binary payload of every detail of type `typeName` the error carries. */
function detailsOf(err: ConnectError, typeName: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const d of err.details) {
    // Incoming details carry the type name and the encoded message.
    if ("type" in d && d.type === typeName && d.value instanceof Uint8Array) out.push(d.value);
  }
  return out;
}

/** Calls `each` with every field of a message, then skips what it left unread. */
function readFields(bytes: Uint8Array, each: (no: number, r: BinaryReader) => boolean): void {
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (!each(no, r)) r.skip(wt, no);
  }
}

/** The field violations of a google.rpc.BadRequest error; empty when there are none. */
export function fieldViolations(e: unknown): FieldViolation[] {
  const err = ConnectError.from(e);
  const out: FieldViolation[] = [];
  for (const value of detailsOf(err, "google.rpc.BadRequest")) {
    // BadRequest { repeated FieldViolation field_violations = 1; }
    readFields(value, (no, r) => {
      if (no !== 1) return false;
      const v: FieldViolation = { field: "", description: "" };
      // FieldViolation { string field = 1; string description = 2; … }
      readFields(r.bytes(), (vno, vr) => {
        if (vno === 1) v.field = vr.string();
        else if (vno === 2) v.description = vr.string();
        else return false;
        return true;
      });
      out.push(v);
      return true;
    });
  }
  return out;
}

/** The delay a google.rpc.RetryInfo detail asks for, in milliseconds; undefined without one. */
export function retryDelayMs(e: unknown): number | undefined {
  const err = ConnectError.from(e);
  let delay: number | undefined;
  for (const value of detailsOf(err, "google.rpc.RetryInfo")) {
    // RetryInfo { google.protobuf.Duration retry_delay = 1; }
    readFields(value, (no, r) => {
      if (no !== 1) return false;
      let seconds = 0;
      let nanos = 0;
      // Duration { int64 seconds = 1; int32 nanos = 2; }
      readFields(r.bytes(), (dno, dr) => {
        if (dno === 1) seconds = Number(dr.int64());
        else if (dno === 2) nanos = dr.int32();
        else return false;
        return true;
      });
      delay = seconds * 1000 + nanos / 1e6;
      return true;
    });
  }
  return delay;
}

export { Code, ConnectError };

/** True when the error is the caller's own cancellation (navigation, a newer request). */
export function isAbort(e: unknown): boolean {
  return (e instanceof DOMException && e.name === "AbortError") || ConnectError.from(e).code === Code.Canceled;
}

/**
 * Maps field violations to form fields: the request's own prefix
 * (`offer.`, `demand.`, `draft.`) and list indexes are dropped, so
 * `offer.keywords[3]` lands on the form's `keywords` field and
 * `demand.budget.max_yuan` on `budget.max_yuan`.
 */
export function violationsByField(vs: FieldViolation[], prefixes: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const v of vs) {
    let field = v.field;
    for (const p of prefixes) {
      if (field.startsWith(p + ".")) {
        field = field.slice(p.length + 1);
        break;
      }
    }
    field = field.replace(/\[\d+\]/g, "");
    out.set(field, [...(out.get(field) ?? []), v.description]);
  }
  return out;
}
