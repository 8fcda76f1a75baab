// A listing's fields as a definition list, in the reader's language.
import type { Demand, Offer } from "../gen/techmarket/v1/listing_pb";
import { industryName } from "../data/industries";
import { useLang, useT } from "../i18n";
import { modeLabel, ownerLabel, patentLabel, regionLabel } from "../labels";
import { date, percent, yuanRange } from "../format";
import type { ReactNode } from "react";

export type Listing = { kind: "offers"; value: Offer } | { kind: "demands"; value: Demand };

function Row({ label, children }: { label: string; children: ReactNode }) {
  if (children === undefined || children === null || children === "" || (Array.isArray(children) && children.length === 0)) return null;
  return (
    <div className="kv">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function ListingDetails({ listing, signedIn }: { listing: Listing; signedIn: boolean }) {
  const t = useT();
  const lang = useLang();
  const l = listing.value;
  const notStated = <span className="muted">{t("value.notStated")}</span>;
  return (
    <dl className="details">
      <Row label={t("field.industries")}>
        <ul className="chips">{l.industries.map((c) => <li key={c}>{industryName(c, lang)}</li>)}</ul>
      </Row>
      <Row label={t("field.region")}>{regionLabel(t, l.region)}</Row>
      {listing.kind === "offers" ? (
        <>
          <Row label={t("field.trl")}>{listing.value.trl ? `TRL ${listing.value.trl}` : notStated}</Row>
          <Row label={t("field.price")}>{yuanRange(listing.value.price, lang) ?? t("value.negotiable")}</Row>
          <Row label={t("field.owner")}>
            {listing.value.owner?.name && <>{listing.value.owner.name}{listing.value.owner.type ? `（${ownerLabel(t, listing.value.owner.type)}）` : ""}</>}
          </Row>
          <Row label={t("field.patents")}>
            {listing.value.patents.length > 0 && (
              <ul className="plain">{listing.value.patents.map((p) => <li key={p.number}>{p.number}{p.type ? ` · ${patentLabel(t, p.type)}` : ""}</li>)}</ul>
            )}
          </Row>
        </>
      ) : (
        <>
          <Row label={t("field.minTrl")}>{listing.value.minTrl ? `TRL ${listing.value.minTrl}` : notStated}</Row>
          <Row label={t("field.budget")}>{yuanRange(listing.value.budget, lang) ?? notStated}</Row>
          <Row label={t("field.enterprise")}>{listing.value.enterprise?.name}</Row>
          <Row label={t("field.deadline")}>{listing.value.deadline || t("value.openEnded")}</Row>
        </>
      )}
      <Row label={t("field.transferModes")}>
        {l.transferModes.length > 0 ? l.transferModes.map((m) => modeLabel(t, m)).join("、") : notStated}
      </Row>
      <Row label={t("field.keywords")}>
        {l.keywords.length > 0 && <ul className="chips chips-quiet">{l.keywords.map((k) => <li key={k}>{k}</li>)}</ul>}
      </Row>
      <Row label={t("field.contact")}>
        {l.contact && (l.contact.name || l.contact.phone || l.contact.email)
          ? <>{[l.contact.name, l.contact.phone].filter(Boolean).join(" · ")}{l.contact.email && <> · <a href={`mailto:${l.contact.email}`}>{l.contact.email}</a></>}</>
          : l.linkedFrom ? <span className="muted">{t("linked.contact")}</span>
          : signedIn ? notStated : <span className="muted">{t("value.contactSignIn")}</span>}
      </Row>
      <Row label={t("field.published")}>{date(l.publishTime, lang) || undefined}</Row>
      <Row label={t("field.expires")}>{date(l.expireTime, lang) || undefined}</Row>
      <Row label={t("field.quality")}>{l.qualityScore ? percent(l.qualityScore) : undefined}</Row>
      <Row label={t("field.externalId")}>{l.externalId}</Row>
    </dl>
  );
}
