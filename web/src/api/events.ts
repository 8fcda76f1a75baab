import { createClient } from "@connectrpc/connect";
import { transport } from "./transport";
import { EventService } from "../gen/techmarket/v1/event_service_pb";

export const events = createClient(EventService, transport);
