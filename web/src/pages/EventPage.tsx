// One matchmaking event: who registered, the planned agenda as a grid of
// time slots × tables, its CSV and iCalendar exports, and for operators
// planning and recording how each meeting went.
import { useState, type FormEvent } from "react";
import { demands as demandClient, offers as offerClient } from "../api/clients";
import { events as eventClient } from "../api/events";
import { ListingState } from "../gen/techmarket/v1/listing_pb";
import { AgendaFormat, MeetingOutcome, type Agenda, type Event, type Meeting } from "../gen/techmarket/v1/event_service_pb";
import { useLoad, useTitle } from "../hooks";
import { useLang, useT } from "../i18n";
import { date, percent, time } from "../format";
import { outcomeLabel, outcomes } from "../labels";
import { Link, listingPath } from "../router";
import { useTitleOf } from "../titles";
import { Role, useSession } from "../session";
import { Empty, ErrorNotice, Loading } from "../components/status";
import { Tile } from "../components/Tile";
import { Code, ConnectError, isAbort } from "../api/errors";

async function loadEvent(name: string, signal: AbortSignal): Promise<{ event: Event; agenda?: Agenda }> {
  const event = (await eventClient.getEvent({ name }, { signal })).event!;
  try {
    const agenda = (await eventClient.getAgenda({ event: name }, { signal })).agenda;
    return { event, agenda };
  } catch (e) {
    // No agenda planned yet.
    if (isAbort(e) || ![Code.NotFound, Code.FailedPrecondition].includes(ConnectError.from(e).code)) throw e;
    return { event };
  }
}

export function EventPage({ id }: { id: string }) {
  const t = useT();
  const lang = useLang();
  const { caller } = useSession();
  const isOperator = caller?.role === Role.OPERATOR;
  const name = `events/${id}`;
  const loaded = useLoad((signal) => loadEvent(name, signal), [name]);
  useTitle(loaded.data?.event.title ?? t("events.title"), t("site.name"));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  if (loaded.error) return <><h1 tabIndex={-1}>{t("events.title")}</h1><ErrorNotice error={loaded.error} onRetry={loaded.reload} /></>;
  if (!loaded.data || loaded.data.event.name !== name) return <Loading />;
  const { event, agenda } = loaded.data;

  async function act(f: () => Promise<unknown>) {
    setBusy(true);
    setError(undefined);
    try {
      await f();
      loaded.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  async function download(format: AgendaFormat) {
    setError(undefined);
    try {
      const res = await eventClient.exportAgenda({ event: name, format });
      const url = URL.createObjectURL(new Blob([res.content as BlobPart], { type: res.contentType }));
      const a = document.createElement("a");
      a.href = url;
      a.download = res.fileName || (format === AgendaFormat.CSV ? "agenda.csv" : "agenda.ics");
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(e);
    }
  }

  return (
    <div className="event">
      <p className="crumbs"><Link to="/events">{t("events.title")}</Link></p>
      <div className="page-head">
        <h1 tabIndex={-1}>{event.title}</h1>
        <p className="meta">
          <span>{date(event.slots[0]?.startTime, lang)}</span>
          {event.venue && <span>{event.venue}</span>}
          <span className="muted">{event.organiser}</span>
        </p>
      </div>
      <div className="stats-tiles">
        <Tile label={t("events.slotCount")} value={event.slots.length} />
        <Tile label={t("events.tables")} value={event.tables} />
        <Tile label={t("events.offersRegistered")} value={event.offers.length} />
        <Tile label={t("events.demandsRegistered")} value={event.demands.length} />
      </div>
      {error !== undefined && <ErrorNotice error={error} />}
      {event.offers.length + event.demands.length > 0 && (
        <details className="panel registrations">
          <summary>{t("events.registrations", { n: event.offers.length + event.demands.length })}</summary>
          <div className="field-pair">
            <Registered title={t("events.offersRegistered")} names={event.offers} kind="offer" />
            <Registered title={t("events.demandsRegistered")} names={event.demands} kind="demand" />
          </div>
        </details>
      )}
      <Register event={event} onDone={loaded.reload} />
      <section aria-labelledby="agenda-heading" className="panel">
        <div className="section-head">
          <h2 id="agenda-heading">{t("events.agenda")}</h2>
          <div className="button-row">
            {isOperator && (
              <button type="button" className="btn btn-primary" disabled={busy} onClick={() => act(() => eventClient.planAgenda({ event: name }))}>
                {agenda ? t("events.replan") : t("events.plan")}
              </button>
            )}
            {agenda && agenda.meetings.length > 0 && (
              <>
                <button type="button" className="btn" onClick={() => download(AgendaFormat.CSV)}>{t("events.csv")}</button>
                <button type="button" className="btn" onClick={() => download(AgendaFormat.ICALENDAR)}>{t("events.ics")}</button>
              </>
            )}
          </div>
        </div>
        {!agenda ? <Empty>{t("events.noAgenda")}</Empty>
          : agenda.meetings.length === 0 ? <Empty>{t("events.noMeetings")}</Empty>
          : (
            <>
              <p className="muted">{t("events.quality", { total: agenda.totalQuality.toFixed(2), greedy: agenda.greedyQuality.toFixed(2), n: agenda.meetings.length })}</p>
              <AgendaGrid event={event} agenda={agenda} editable={isOperator} onChange={loaded.reload} />
            </>
          )}
      </section>
    </div>
  );
}

function Registered({ title, names, kind }: { title: string; names: string[]; kind: "offer" | "demand" }) {
  return (
    <div>
      <h3>{title}</h3>
      <ul className="plain">{names.map((n) => <li key={n}><span className={`kind-dot ${kind}`} aria-hidden="true" /><ListingLink name={n} /></li>)}</ul>
    </div>
  );
}

function ListingLink({ name }: { name: string }) {
  return <Link to={listingPath(name)}>{useTitleOf(name)}</Link>;
}

/** Slots down, tables across; each cell the meeting held there. */
function AgendaGrid({ event, agenda, editable, onChange }: { event: Event; agenda: Agenda; editable: boolean; onChange: () => void }) {
  const t = useT();
  const lang = useLang();
  const at = new Map(agenda.meetings.map((m) => [`${m.slot}/${m.table}`, m]));
  const tables = Array.from({ length: event.tables }, (_, i) => i + 1);
  return (
    <div className="grid-scroll" tabIndex={0} role="region" aria-label={t("events.agenda")}>
      <table className="agenda">
        <thead>
          <tr>
            <th scope="col">{t("events.slot")}</th>
            {tables.map((n) => <th key={n} scope="col">{t("events.table", { n })}</th>)}
          </tr>
        </thead>
        <tbody>
          {event.slots.map((s, i) => (
            <tr key={i}>
              <th scope="row">
                <span className="slot-no">{i + 1}</span>
                <span className="slot-time">{time(s.startTime, lang)}–{time(s.endTime, lang)}</span>
              </th>
              {tables.map((n) => {
                const m = at.get(`${i + 1}/${n}`);
                return <td key={n}>{m ? <MeetingCell event={event.name} meeting={m} editable={editable} onChange={onChange} /> : <span className="muted" aria-label={t("events.free")}>—</span>}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MeetingCell({ event, meeting, editable, onChange }: { event: string; meeting: Meeting; editable: boolean; onChange: () => void }) {
  const t = useT();
  const [error, setError] = useState<unknown>();
  const pair = meeting.pair!;
  async function record(outcome: MeetingOutcome) {
    setError(undefined);
    try {
      await eventClient.recordMeetingOutcome({ event, pair, outcome });
      onChange();
    } catch (e) {
      setError(e);
    }
  }
  const id = `out-${meeting.slot}-${meeting.table}`;
  return (
    <div className="meeting">
      <p><span className="kind-dot offer" aria-hidden="true" /><Link to={listingPath(pair.offer)}>{meeting.offerTitle}</Link></p>
      <p><span className="kind-dot demand" aria-hidden="true" /><Link to={listingPath(pair.demand)}>{meeting.demandTitle}</Link></p>
      <p className="muted">{t("events.fit", { pct: percent(meeting.quality) })}</p>
      {editable ? (
        <>
          <label htmlFor={id} className="sr-only">{t("events.outcome")}</label>
          <select id={id} value={meeting.outcome} onChange={(e) => record(Number(e.target.value) as MeetingOutcome)}>
            <option value={MeetingOutcome.UNSPECIFIED}>{t("events.outcome")}</option>
            {outcomes.map((o) => <option key={o} value={o}>{outcomeLabel(t, o)}</option>)}
          </select>
        </>
      ) : meeting.outcome ? <p className="outcome">{outcomeLabel(t, meeting.outcome)}</p> : null}
      {error !== undefined && <ErrorNotice error={error} />}
    </div>
  );
}

/** Registers a published listing: owners pick one of theirs, operators may name any. */
function Register({ event, onDone }: { event: Event; onDone: () => void }) {
  const t = useT();
  const { caller, signedIn } = useSession();
  const [value, setValue] = useState("");
  const [error, setError] = useState<unknown>();
  const [ok, setOk] = useState("");
  const isOperator = caller?.role === Role.OPERATOR;
  const mine = useLoad(async (signal) => {
    if (!caller || !signedIn || isOperator) return [];
    const opts = { signal };
    const list = caller.role === Role.AGENCY
      ? (await offerClient.listOffers({ poster: caller.organization, state: ListingState.PUBLISHED, pageSize: 200 }, opts)).offers
      : (await demandClient.listDemands({ poster: caller.organization, state: ListingState.PUBLISHED, pageSize: 200 }, opts)).demands;
    return list.map((l) => ({ name: l.name, title: l.title }));
  }, [caller?.tokenName]);
  if (!signedIn) return null;
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    setOk("");
    // Accept a portal address as well as a name: …/offers/abc → offers/abc.
    const listing = value.trim().replace(/^.*?\b((?:offers|demands)\/[^/?#\s]+).*$/, "$1");
    try {
      await eventClient.registerListing({ event: event.name, listing });
      setOk(listing);
      setValue("");
      onDone();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form className="panel form register" onSubmit={submit} noValidate>
      <h2>{t("events.register")}</h2>
      <div className="field">
        <label htmlFor="reg-listing">{t("events.registerLabel")}</label>
        {isOperator || !mine.data?.length ? (
          <input id="reg-listing" type="text" value={value} onChange={(e) => setValue(e.target.value)} placeholder="offers/… · demands/…" aria-describedby="reg-hint" />
        ) : (
          <select id="reg-listing" value={value} onChange={(e) => setValue(e.target.value)} aria-describedby="reg-hint">
            <option value="">{t("form.choose")}</option>
            {mine.data.map((l) => <option key={l.name} value={l.name}>{l.title}</option>)}
          </select>
        )}
        <p id="reg-hint" className="hint">{t("events.registerHint")}</p>
      </div>
      <button type="submit" className="btn" disabled={!value.trim()}>{t("events.registerButton")}</button>
      <p role="status">{ok && t("events.registered", { name: ok })}</p>
      {error !== undefined && <ErrorNotice error={error} />}
    </form>
  );
}

