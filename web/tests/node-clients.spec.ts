// Clients that are not browsers: a Node program calls the same port over
// the Connect protocol and over gRPC-Web, unary and server streaming,
// with the generated client and the transports the portal uses (they run
// on Node's fetch; @connectrpc/connect-node wants a newer Node than the
// 20 this project builds with).
import { expect, test } from "@playwright/test";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { OfferService } from "../src/gen/techmarket/v1/offer_service_pb";
import { AlertService } from "../src/gen/techmarket/v1/alert_service_pb";
import { DemandService } from "../src/gen/techmarket/v1/demand_service_pb";
import { Region } from "../src/gen/techmarket/v1/listing_pb";
import { open, rpc, unique } from "./market";

const protocols = {
  connect: (baseUrl: string) => createConnectTransport({ baseUrl }),
  "grpc-web": (baseUrl: string) => createGrpcWebTransport({ baseUrl }),
};

for (const [protocol, transport] of Object.entries(protocols)) {
  test(`a Node program lists offers and watches alerts over ${protocol}`, async () => {
    const m = open();
    const offers = createClient(OfferService, transport(m.url));
    const page = await offers.listOffers({ pageSize: 3, industry: "hydrogen" });
    expect(page.offers.length).toBeGreaterThan(0);
    for (const o of page.offers) expect(o.industries).toContain("hydrogen");

    // A demand of the enterprise's, then a fitting offer: the alert
    // arrives on the stream the program opened.
    const word = unique();
    const auth = (role: "agency" | "enterprise") => ({ headers: { Authorization: `Bearer ${m.token(role)}` } });
    const demands = createClient(DemandService, transport(m.url));
    const { demand } = await demands.createDemand({
      publish: true,
      demand: {
        title: `焦炉荒煤气余热回收产蒸汽 ${word}`,
        description: "上升管荒煤气温度七八百度，希望回收余热产生蒸汽，要求不结焦。",
        keywords: ["焦炉", "荒煤气", "余热", word],
        industries: ["coal-chemical"],
        region: Region.WUHAI,
      },
    }, auth("enterprise"));
    const alerts = createClient(AlertService, transport(m.url));
    const stream = alerts.watchMatches({ listings: [demand!.name] }, auth("enterprise"));
    const first = (async () => {
      for await (const res of stream) return res.alert;
    })();
    const offer = await rpc<{ offer: { name: string } }>(m, "OfferService/CreateOffer", {
      publish: true,
      offer: {
        title: `焦炉上升管荒煤气余热回收技术 ${word}`,
        summary: "在焦炉上升管内设置换热器，回收荒煤气显热产生饱和蒸汽，防结焦涂层。",
        keywords: ["上升管", "荒煤气", "余热回收", "焦炉", word],
        industries: ["coal-chemical"],
        region: "REGION_INNER_MONGOLIA",
        trl: 8,
      },
    }, "agency");
    const alert = await first;
    expect(alert?.listing).toBe(demand!.name);
    expect(alert?.match?.name).toBe(offer.offer.name);
  });
}
