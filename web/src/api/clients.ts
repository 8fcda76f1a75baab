// Typed clients of the services most pages call, over one transport.
// Events, statistics and links have their own modules (events.ts,
// stats.ts, links.ts), so their code loads with the pages that use it.
import { createClient } from "@connectrpc/connect";
import { transport } from "./transport";
import { OfferService } from "../gen/techmarket/v1/offer_service_pb";
import { DemandService } from "../gen/techmarket/v1/demand_service_pb";
import { MatchService } from "../gen/techmarket/v1/match_service_pb";
import { AlertService } from "../gen/techmarket/v1/alert_service_pb";
import { ReviewService } from "../gen/techmarket/v1/review_service_pb";
import { DealService } from "../gen/techmarket/v1/deal_service_pb";
import { TokenService } from "../gen/techmarket/v1/token_service_pb";
import { IntroductionService } from "../gen/techmarket/v1/introduction_service_pb";

export const offers = createClient(OfferService, transport);
export const demands = createClient(DemandService, transport);
export const matches = createClient(MatchService, transport);
export const alerts = createClient(AlertService, transport);
export const review = createClient(ReviewService, transport);
export const deals = createClient(DealService, transport);
export const tokens = createClient(TokenService, transport);
export const introductions = createClient(IntroductionService, transport);
