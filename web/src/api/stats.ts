import { createClient } from "@connectrpc/connect";
import { transport } from "./transport";
import { StatsService } from "../gen/techmarket/v1/stats_service_pb";

export const stats = createClient(StatsService, transport);
