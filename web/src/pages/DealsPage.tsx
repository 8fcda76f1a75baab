// Deals as a board by stage, from first contact to a registered
// technology contract. Each card moves only to the stages the deal rules
// allow (deal/move.go), asking for what that stage needs.
import { useState, type FormEvent } from "react";
import { deals as dealClient } from "../api/clients";
import { fieldViolations } from "../api/errors";
import { CloseReason, ContractType, DealStage, type Deal } from "../gen/techmarket/v1/deal_service_pb";
import { useLoad, useTitle } from "../hooks";
import { useLang, useT } from "../i18n";
import { closeReasonLabel, closeReasons, contractLabel, contractTypes, dealStages, dealStageWords, nextStages, stageLabel } from "../labels";
import { date, dateTime, percent, yuan } from "../format";
import { Link, listingPath } from "../router";
import { useSession } from "../session";
import { useTitleOf } from "../titles";
import { Empty, ErrorNotice, Loading } from "../components/status";

export function DealsPage() {
  const t = useT();
  const { caller, signedIn } = useSession();
  useTitle(t("deals.title"), t("site.name"));
  const list = useLoad((signal) => (signedIn ? dealClient.listDeals({ pageSize: 100 }, { signal }) : Promise.resolve(undefined)), [caller?.tokenName]);
  if (!caller) return <Loading />;
  if (!signedIn) return <div className="narrow"><h1 tabIndex={-1}>{t("deals.title")}</h1><p>{t("post.signInFirst")}</p><Link className="btn btn-primary" to="/signin">{t("account.signIn")}</Link></div>;
  const deals = list.data?.deals ?? [];
  return (
    <div>
      <div className="page-head">
        <h1 tabIndex={-1}>{t("deals.title")}</h1>
        <p className="lede">{t("deals.lede")}</p>
      </div>
      {list.error ? <ErrorNotice error={list.error} onRetry={list.reload} />
        : !list.data ? <Loading />
        : deals.length === 0 ? <Empty>{t("deals.none")}</Empty>
        : (
          <div className="board">
            {dealStages.map((stage) => {
              const here = deals.filter((d) => d.stage === stage);
              return (
                <section key={stage} className={`column column-${dealStageWords[stage]}`} aria-labelledby={`col-${stage}`}>
                  <h2 id={`col-${stage}`}>{stageLabel(t, stage)} <span className="count">{here.length}</span></h2>
                  <ul>
                    {here.map((d) => <li key={d.name}><DealCard deal={d} onMoved={list.reload} /></li>)}
                  </ul>
                </section>
              );
            })}
          </div>
        )}
    </div>
  );
}

function DealCard({ deal, onMoved }: { deal: Deal; onMoved: () => void }) {
  const t = useT();
  const lang = useLang();
  const offerTitle = useTitleOf(deal.offer);
  const demandTitle = useTitleOf(deal.demand);
  return (
    <article className="deal-card" aria-label={`${offerTitle} ↔ ${demandTitle}`}>
      <p><span className="kind-dot offer" aria-hidden="true" /><Link to={listingPath(deal.offer)}>{offerTitle}</Link></p>
      <p className="muted small">{deal.offerPoster}</p>
      <p><span className="kind-dot demand" aria-hidden="true" /><Link to={listingPath(deal.demand)}>{demandTitle}</Link></p>
      <p className="muted small">{deal.demandPoster}</p>
      <p className="small">
        {deal.matchScore > 0 && <>{t("deals.fit", { pct: percent(deal.matchScore) })} · </>}
        {t("listing.updated", { when: date(deal.updateTime, lang) })}
        {deal.amountYuan > 0n && <> · {yuan(deal.amountYuan, lang)}</>}
        {deal.contractNumber && <> · {deal.contractNumber}</>}
        {deal.closeReason !== CloseReason.UNSPECIFIED && <> · {closeReasonLabel(t, deal.closeReason)}</>}
      </p>
      <details className="history">
        <summary>{t("deals.history", { n: deal.history.length })}</summary>
        <ol>
          {deal.history.map((h, i) => (
            <li key={i}>{stageLabel(t, h.stage)} · {h.actor} · {dateTime(h.time, lang)}{h.note && <>：{h.note}</>}</li>
          ))}
        </ol>
      </details>
      {nextStages(deal.stage).length > 0 && <MoveForm deal={deal} onMoved={onMoved} />}
    </article>
  );
}

function MoveForm({ deal, onMoved }: { deal: Deal; onMoved: () => void }) {
  const t = useT();
  const options = nextStages(deal.stage);
  const [to, setTo] = useState<DealStage>(options[0]!);
  const [reason, setReason] = useState<CloseReason>(deal.stage === DealStage.CONTRACT_SIGNED ? CloseReason.CONTRACT_CANCELLED : CloseReason.UNSPECIFIED);
  const [contract, setContract] = useState<ContractType>(ContractType.UNSPECIFIED);
  const [amount, setAmount] = useState("");
  const [number, setNumber] = useState("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const id = deal.name.replace(/\W/g, "-");

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await dealClient.moveDeal({
        name: deal.name, stage: to, etag: deal.etag, note,
        closeReason: to === DealStage.CLOSED ? reason : CloseReason.UNSPECIFIED,
        contractType: to === DealStage.CONTRACT_SIGNED ? contract : ContractType.UNSPECIFIED,
        amountYuan: to === DealStage.CONTRACT_SIGNED && /^\d+$/.test(amount) ? BigInt(amount) : 0n,
        contractNumber: to === DealStage.CONTRACT_REGISTERED ? number : "",
      });
      onMoved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const violations = error === undefined ? [] : fieldViolations(error);
  return (
    <details className="move">
      <summary>{t("deals.move")}</summary>
      <form className="form compact" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-to`}>{t("deals.to")}</label>
          <select id={`${id}-to`} value={to} onChange={(e) => setTo(Number(e.target.value) as DealStage)}>
            {options.map((s) => <option key={s} value={s}>{stageLabel(t, s)}</option>)}
          </select>
        </div>
        {to === DealStage.CLOSED && (
          <div className="field">
            <label htmlFor={`${id}-reason`}>{t("deals.reason")}</label>
            <select id={`${id}-reason`} value={reason} onChange={(e) => setReason(Number(e.target.value) as CloseReason)}>
              <option value={CloseReason.UNSPECIFIED}>{t("form.choose")}</option>
              {closeReasons.map((r) => <option key={r} value={r}>{closeReasonLabel(t, r)}</option>)}
            </select>
          </div>
        )}
        {to === DealStage.CONTRACT_SIGNED && (
          <>
            <div className="field">
              <label htmlFor={`${id}-contract`}>{t("deals.contractType")}</label>
              <select id={`${id}-contract`} value={contract} onChange={(e) => setContract(Number(e.target.value) as ContractType)}>
                <option value={ContractType.UNSPECIFIED}>{t("form.choose")}</option>
                {contractTypes.map((c) => <option key={c} value={c}>{contractLabel(t, c)}</option>)}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-amount`}>{t("deals.amount")}</label>
              <input id={`${id}-amount`} type="text" inputMode="numeric" value={amount} onChange={(e) => setAmount(e.target.value)} />
            </div>
          </>
        )}
        {to === DealStage.CONTRACT_REGISTERED && (
          <div className="field">
            <label htmlFor={`${id}-number`}>{t("deals.contractNumber")}</label>
            <input id={`${id}-number`} type="text" value={number} onChange={(e) => setNumber(e.target.value)} />
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-note`}>{t("deals.note")}</label>
          <textarea id={`${id}-note`} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        {violations.length > 0
          ? <p className="field-error" role="alert">{violations.map((v) => v.description).join("；")}</p>
          : error !== undefined && <ErrorNotice error={error} />}
        <button type="submit" className="btn btn-primary" disabled={busy}>{t("deals.moveButton")}</button>
      </form>
    </details>
  );
}
