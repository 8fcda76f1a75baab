// Matchmaking events (对接会): the list, and for operators a form to
// create one with its time slots and tables.
import { useState, type FormEvent } from "react";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { events as eventClient } from "../api/events";
import { Code, ConnectError, fieldViolations, violationsByField } from "../api/errors";
import { useLoad, useTitle } from "../hooks";
import { useLang, useT } from "../i18n";
import { dateTime } from "../format";
import { Link, navigate } from "../router";
import { Role, useSession } from "../session";
import { Field } from "../components/Field";
import { Empty, ErrorNotice, Loading } from "../components/status";

export function EventsPage() {
  const t = useT();
  const lang = useLang();
  const { caller } = useSession();
  useTitle(t("events.title"), t("site.name"));
  const list = useLoad((signal) => eventClient.listEvents({ pageSize: 100 }, { signal }), []);
  return (
    <div>
      <div className="page-head">
        <h1 tabIndex={-1}>{t("events.title")}</h1>
        <p className="lede">{t("events.lede")}</p>
      </div>
      <div className="events-body">
        <section aria-labelledby="events-list">
          <h2 id="events-list" className="sr-only">{t("events.list")}</h2>
          {list.error ? <ErrorNotice error={list.error} onRetry={list.reload} />
            : !list.data ? <Loading />
            : list.data.events.length === 0 ? <Empty>{t("events.none")}</Empty>
            : (
              <ul className="event-list">
                {list.data.events.map((e) => (
                  <li key={e.name} className="panel">
                    <h3><Link to={`/${e.name}`}>{e.title}</Link></h3>
                    <p className="meta">
                      <span>{dateTime(e.slots[0]?.startTime, lang)}</span>
                      {e.venue && <span>{e.venue}</span>}
                      <span className="muted">{t("events.counts", { slots: e.slots.length, tables: e.tables, offers: e.offers.length, demands: e.demands.length })}</span>
                    </p>
                  </li>
                ))}
              </ul>
            )}
        </section>
        {caller?.role === Role.OPERATOR && <CreateEvent />}
      </div>
    </div>
  );
}

function CreateEvent() {
  const t = useT();
  const [f, setF] = useState({ title: "", venue: "", date: "", start: "09:00", minutes: "30", slots: "6", tables: "8", perParty: "0" });
  const [violations, setViolations] = useState<Map<string, string[]>>(new Map());
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const bind = (k: keyof typeof f) => ({ value: f[k], onChange: (e: { target: { value: string } }) => setF((s) => ({ ...s, [k]: e.target.value })) });
  const errs = (k: string) => violations.get(k) ?? [];

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    const local = new Map<string, string[]>();
    if (!f.date) local.set("slots", [t("events.needDate")]);
    if (local.size) return setViolations(local);
    // Slots back to back from the start, in China time (the market's clock).
    const first = new Date(`${f.date}T${f.start}:00+08:00`).getTime();
    const len = Number(f.minutes) * 60_000;
    const slots = Array.from({ length: Math.max(0, Number(f.slots)) }, (_, i) => ({
      startTime: timestampFromDate(new Date(first + i * len)),
      endTime: timestampFromDate(new Date(first + (i + 1) * len)),
    }));
    setBusy(true);
    try {
      const res = await eventClient.createEvent({
        event: { title: f.title, venue: f.venue, slots, tables: Number(f.tables), maxMeetingsPerParty: Number(f.perParty) },
      });
      navigate(`/${res.event!.name}`);
    } catch (err) {
      if (ConnectError.from(err).code === Code.InvalidArgument) {
        setViolations(new Map([...violationsByField(fieldViolations(err), ["event"])].map(([k, v]) => [k === "max_meetings_per_party" ? "perParty" : k, v])));
      }
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="panel form" onSubmit={submit} noValidate aria-labelledby="new-event">
      <h2 id="new-event">{t("events.create")}</h2>
      <Field id="ev-title" label={t("field.title")} required requiredLabel={t("form.required")} errors={errs("title")}>
        {(a) => <input {...a} type="text" placeholder={t("events.titleExample")} {...bind("title")} />}
      </Field>
      <Field id="ev-venue" label={t("events.venue")} errors={errs("venue")}>{(a) => <input {...a} type="text" {...bind("venue")} />}</Field>
      <div className="field-pair">
        <Field id="ev-date" label={t("events.date")} required requiredLabel={t("form.required")} errors={errs("slots")}>
          {(a) => <input {...a} type="date" {...bind("date")} />}
        </Field>
        <Field id="ev-start" label={t("events.start")}>{(a) => <input {...a} type="time" {...bind("start")} />}</Field>
      </div>
      <div className="field-trio">
        <Field id="ev-minutes" label={t("events.slotMinutes")}>{(a) => <input {...a} type="number" min={5} {...bind("minutes")} />}</Field>
        <Field id="ev-slots" label={t("events.slotCount")}>{(a) => <input {...a} type="number" min={1} {...bind("slots")} />}</Field>
        <Field id="ev-tables" label={t("events.tables")} errors={errs("tables")}>{(a) => <input {...a} type="number" min={1} {...bind("tables")} />}</Field>
      </div>
      <Field id="ev-per-party" label={t("events.perParty")} hint={t("events.perPartyHint")} errors={errs("perParty")}>
        {(a) => <input {...a} type="number" min={0} className="short" {...bind("perParty")} />}
      </Field>
      {error !== undefined && violations.size === 0 && <ErrorNotice error={error} />}
      <button type="submit" className="btn btn-primary" disabled={busy}>{t("events.createButton")}</button>
    </form>
  );
}
