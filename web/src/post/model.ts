// The posting form as typed (strings, as inputs hold them) and its
// conversion to the API's Offer and Demand. The portal checks only what
// cannot be sent at all (an amount that is no number); every rule of a
// listing is the server's, asked with validate_only as the poster types.
import { create } from "@bufbuild/protobuf";
import {
  DemandSchema, OfferSchema, OwnerType, PatentType, Region, TransferMode,
  type Demand, type Offer, type YuanRange,
} from "../gen/techmarket/v1/listing_pb";
import { regionWords, regions } from "../labels";

export type Kind = "offers" | "demands";

export interface PatentRow {
  number: string;
  type: PatentType;
}

export interface FormState {
  title: string;
  summary: string;
  description: string;
  keywords: string;
  industries: string[];
  region: string;
  transferModes: TransferMode[];
  /** TRL of an offer, minimum TRL of a demand; empty when not said. */
  trl: string;
  /** Price of an offer, budget of a demand, in yuan. */
  minYuan: string;
  maxYuan: string;
  ownerName: string;
  ownerType: OwnerType;
  patents: PatentRow[];
  enterpriseName: string;
  deadline: string;
  contactName: string;
  contactPhone: string;
  contactEmail: string;
  externalId: string;
}

export const emptyForm: FormState = {
  title: "", summary: "", description: "", keywords: "", industries: [], region: "", transferModes: [],
  trl: "", minYuan: "", maxYuan: "", ownerName: "", ownerType: OwnerType.UNSPECIFIED, patents: [],
  enterpriseName: "", deadline: "", contactName: "", contactPhone: "", contactEmail: "", externalId: "",
};

/** Keywords are typed in one line, separated as Chinese and English writers do. */
export function splitKeywords(s: string): string[] {
  return s.split(/[,，、;；\n]+/).map((k) => k.trim()).filter(Boolean);
}

const regionByWord = new Map(regions.map((r) => [regionWords[r], r]));

/** The portal's own problems with the form: amounts that are not whole yuan. */
export function localProblems(f: FormState): Map<string, string> {
  const out = new Map<string, string>();
  const side = "amount";
  for (const [k, v] of [["min_yuan", f.minYuan], ["max_yuan", f.maxYuan]] as const) {
    if (v.trim() && !/^\d+$/.test(cleanAmount(v))) out.set(`${side}.${k}`, "notWholeYuan");
  }
  if (f.trl.trim() && !/^-?\d+$/.test(f.trl.trim())) out.set("trl", "notWholeNumber");
  return out;
}

function cleanAmount(v: string): string {
  return v.trim().replace(/[\s,，]/g, "");
}

function range(f: FormState): Pick<YuanRange, "minYuan" | "maxYuan"> | undefined {
  const min = cleanAmount(f.minYuan);
  const max = cleanAmount(f.maxYuan);
  if (!min && !max) return undefined;
  const n = (s: string) => (/^\d+$/.test(s) ? BigInt(s) : 0n);
  return { minYuan: n(min), maxYuan: n(max) };
}

function common(f: FormState) {
  const contact = f.contactName || f.contactPhone || f.contactEmail
    ? { name: f.contactName.trim(), phone: f.contactPhone.trim(), email: f.contactEmail.trim() }
    : undefined;
  return {
    externalId: f.externalId.trim(),
    title: f.title,
    summary: f.summary,
    description: f.description,
    keywords: splitKeywords(f.keywords),
    industries: f.industries,
    region: regionByWord.get(f.region) ?? Region.UNSPECIFIED,
    transferModes: f.transferModes,
    contact,
  };
}

const trl = (f: FormState) => (/^-?\d+$/.test(f.trl.trim()) ? Number(f.trl.trim()) : 0);

export function toOffer(f: FormState, name = "", etag = ""): Offer {
  return create(OfferSchema, {
    ...common(f), name, etag,
    trl: trl(f),
    price: range(f),
    owner: f.ownerName || f.ownerType ? { name: f.ownerName.trim(), type: f.ownerType } : undefined,
    patents: f.patents.filter((p) => p.number.trim()).map((p) => ({ number: p.number.trim(), type: p.type })),
  });
}

export function toDemand(f: FormState, name = "", etag = ""): Demand {
  return create(DemandSchema, {
    ...common(f), name, etag,
    minTrl: trl(f),
    budget: range(f),
    enterprise: f.enterpriseName ? { name: f.enterpriseName.trim() } : undefined,
    deadline: f.deadline,
  });
}

/** The form of a stored listing, to edit it. */
export function fromListing(kind: Kind, l: Offer | Demand): FormState {
  const amount = kind === "offers" ? (l as Offer).price : (l as Demand).budget;
  const base: FormState = {
    ...emptyForm,
    title: l.title, summary: l.summary, description: l.description, keywords: l.keywords.join("、"),
    industries: [...l.industries], region: l.region ? regionWords[l.region] : "", transferModes: [...l.transferModes],
    minYuan: amount && amount.minYuan ? String(amount.minYuan) : "",
    maxYuan: amount && amount.maxYuan ? String(amount.maxYuan) : "",
    contactName: l.contact?.name ?? "", contactPhone: l.contact?.phone ?? "", contactEmail: l.contact?.email ?? "",
    externalId: l.externalId,
  };
  if (kind === "offers") {
    const o = l as Offer;
    return { ...base, trl: o.trl ? String(o.trl) : "", ownerName: o.owner?.name ?? "", ownerType: o.owner?.type ?? OwnerType.UNSPECIFIED,
      patents: o.patents.map((p) => ({ number: p.number, type: p.type })) };
  }
  const d = l as Demand;
  return { ...base, trl: d.minTrl ? String(d.minTrl) : "", enterpriseName: d.enterprise?.name ?? "", deadline: d.deadline };
}

/** The form's field for a violation path, by kind: `price.max_yuan` and `budget.max_yuan` are both `amount.max_yuan`. */
export function formField(kind: Kind, path: string): string {
  const amount = kind === "offers" ? "price" : "budget";
  if (path === amount || path.startsWith(amount + ".")) return "amount" + path.slice(amount.length);
  if (path === "min_trl") return "trl";
  return path;
}
