// Enum values as the words the server uses in codes, stats and facets
// (`wuhai`, `in_review`, `contract_signed`), and their labels through the
// dictionaries.
import {
  ListingState, OwnerType, PatentType, Region, TransferMode,
} from "./gen/techmarket/v1/listing_pb";
import { CloseReason, ContractType, DealStage } from "./gen/techmarket/v1/deal_service_pb";
import { MeetingOutcome } from "./gen/techmarket/v1/event_service_pb";
import { Role } from "./gen/techmarket/v1/token_service_pb";
import { isMessageKey, type MessageKey, type Translate } from "./i18n";

/** The label of a server word under `prefix`, or the word itself when the portal has none. */
export function wordLabel(t: Translate, prefix: string, word: string): string {
  const key = `${prefix}.${word}`;
  return isMessageKey(key) ? t(key) : word;
}

export const regionWords: Record<Region, string> = {
  [Region.UNSPECIFIED]: "unspecified",
  [Region.WUHAI]: "wuhai",
  [Region.INNER_MONGOLIA]: "inner-mongolia",
  [Region.DOMESTIC]: "domestic",
  [Region.INTERNATIONAL]: "international",
};
export const regions = [Region.WUHAI, Region.INNER_MONGOLIA, Region.DOMESTIC, Region.INTERNATIONAL] as const;

export function regionLabel(t: Translate, r: Region | string): string {
  const word = typeof r === "string" ? r : regionWords[r];
  return wordLabel(t, "region", word);
}

export const transferModes = [
  TransferMode.ASSIGNMENT, TransferMode.LICENSE, TransferMode.EQUITY,
  TransferMode.JOINT_DEVELOPMENT, TransferMode.SERVICE,
] as const;
const modeKeys: Record<TransferMode, MessageKey> = {
  [TransferMode.UNSPECIFIED]: "mode.unspecified",
  [TransferMode.ASSIGNMENT]: "mode.assignment",
  [TransferMode.LICENSE]: "mode.license",
  [TransferMode.EQUITY]: "mode.equity",
  [TransferMode.JOINT_DEVELOPMENT]: "mode.joint-development",
  [TransferMode.SERVICE]: "mode.service",
};
export const modeLabel = (t: Translate, m: TransferMode) => t(modeKeys[m]);

export const stateWords: Record<ListingState, string> = {
  [ListingState.UNSPECIFIED]: "unspecified",
  [ListingState.DRAFT]: "draft",
  [ListingState.PUBLISHED]: "published",
  [ListingState.WITHDRAWN]: "withdrawn",
  [ListingState.EXPIRED]: "expired",
  [ListingState.CLOSED]: "closed",
  [ListingState.IN_REVIEW]: "in_review",
  [ListingState.REJECTED]: "rejected",
};
export function stateLabel(t: Translate, s: ListingState | string): string {
  const word = typeof s === "string" ? s : stateWords[s];
  return wordLabel(t, "state", word);
}

const ownerKeys: Record<OwnerType, MessageKey> = {
  [OwnerType.UNSPECIFIED]: "owner.unspecified",
  [OwnerType.UNIVERSITY]: "owner.university",
  [OwnerType.INSTITUTE]: "owner.institute",
  [OwnerType.ENTERPRISE]: "owner.enterprise",
  [OwnerType.INDIVIDUAL]: "owner.individual",
};
export const ownerTypes = [OwnerType.UNIVERSITY, OwnerType.INSTITUTE, OwnerType.ENTERPRISE, OwnerType.INDIVIDUAL] as const;
export const ownerLabel = (t: Translate, o: OwnerType) => t(ownerKeys[o]);

const patentKeys: Record<PatentType, MessageKey> = {
  [PatentType.UNSPECIFIED]: "patent.unspecified",
  [PatentType.INVENTION]: "patent.invention",
  [PatentType.UTILITY]: "patent.utility",
  [PatentType.DESIGN]: "patent.design",
  [PatentType.SOFTWARE]: "patent.software",
};
export const patentTypes = [PatentType.INVENTION, PatentType.UTILITY, PatentType.DESIGN, PatentType.SOFTWARE] as const;
export const patentLabel = (t: Translate, p: PatentType) => t(patentKeys[p]);

const roleKeys: Record<Role, MessageKey> = {
  [Role.UNSPECIFIED]: "role.anonymous",
  [Role.OPERATOR]: "role.operator",
  [Role.AGENCY]: "role.agency",
  [Role.ENTERPRISE]: "role.enterprise",
  [Role.PEER]: "role.peer",
};
export const roleLabel = (t: Translate, r: Role): string => t(roleKeys[r]);

export const dealStageWords: Record<DealStage, string> = {
  [DealStage.UNSPECIFIED]: "unspecified",
  [DealStage.CONTACTED]: "contacted",
  [DealStage.NEGOTIATING]: "negotiating",
  [DealStage.MEETING]: "meeting",
  [DealStage.CONTRACT_SIGNED]: "contract_signed",
  [DealStage.CONTRACT_REGISTERED]: "contract_registered",
  [DealStage.CLOSED]: "closed",
};
export const dealStages = [
  DealStage.CONTACTED, DealStage.NEGOTIATING, DealStage.MEETING,
  DealStage.CONTRACT_SIGNED, DealStage.CONTRACT_REGISTERED, DealStage.CLOSED,
] as const;
export function stageLabel(t: Translate, s: DealStage | string): string {
  const word = typeof s === "string" ? s : dealStageWords[s];
  return wordLabel(t, "stage", word);
}

/** The stages a deal may move to from `from`, as deal/move.go allows. */
export function nextStages(from: DealStage): DealStage[] {
  switch (from) {
    case DealStage.CONTACTED: return [DealStage.NEGOTIATING, DealStage.MEETING, DealStage.CLOSED];
    case DealStage.NEGOTIATING: return [DealStage.CONTACTED, DealStage.MEETING, DealStage.CONTRACT_SIGNED, DealStage.CLOSED];
    case DealStage.MEETING: return [DealStage.NEGOTIATING, DealStage.CONTRACT_SIGNED, DealStage.CLOSED];
    case DealStage.CONTRACT_SIGNED: return [DealStage.CONTRACT_REGISTERED, DealStage.CLOSED];
    default: return [];
  }
}

export const closeReasons = [
  CloseReason.TOO_EARLY, CloseReason.PRICE, CloseReason.BENEFIT_UNCLEAR, CloseReason.DESCRIPTION_UNCLEAR,
  CloseReason.IP, CloseReason.PARTNER_CHOSE_ANOTHER, CloseReason.NO_RESPONSE, CloseReason.CONTRACT_CANCELLED, CloseReason.OTHER,
] as const;
export const closeReasonLabel = (t: Translate, r: CloseReason) => t(`close.${CloseReason[r].toLowerCase()}` as MessageKey);

export const contractTypes = [
  ContractType.DEVELOPMENT, ContractType.TRANSFER, ContractType.LICENCE, ContractType.CONSULTING, ContractType.SERVICE,
] as const;
export const contractLabel = (t: Translate, c: ContractType) => t(`contract.${ContractType[c].toLowerCase()}` as MessageKey);

export const outcomes = [MeetingOutcome.FOLLOW_UP, MeetingOutcome.DEAL_OPENED, MeetingOutcome.NO_FIT, MeetingOutcome.NO_SHOW] as const;
export const outcomeLabel = (t: Translate, o: MeetingOutcome) => t(`outcome.${MeetingOutcome[o].toLowerCase()}` as MessageKey);
