import type { ListingState } from "../gen/techmarket/v1/listing_pb";
import { useT } from "../i18n";
import { stateLabel, stateWords } from "../labels";

export function StateBadge({ state }: { state: ListingState }) {
  const t = useT();
  return <span className={`state state-${stateWords[state]}`}>{stateLabel(t, state)}</span>;
}
