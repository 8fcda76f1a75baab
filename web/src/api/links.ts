import { createClient } from "@connectrpc/connect";
import { transport } from "./transport";
import { LinkService } from "../gen/techmarket/v1/link_service_pb";

export const links = createClient(LinkService, transport);
