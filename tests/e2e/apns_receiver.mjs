// A loopback stand-in for Apple's push service (APNs has no local server): an HTTP/2 server
// (Node's http2, cleartext with prior knowledge) that checks each request as Apple documents
// it — method, :path /3/device/<token>, apns-topic, apns-push-type, apns-priority,
// apns-collapse-id, the ES256 provider token (header, claims, signature against the team's
// public key) and the payload — and answers as APNs does, 410 Unregistered included.
// Usage: node apns_receiver.mjs LOG PUBLIC_KEY_PEM KEY_ID TEAM_ID TOPIC UNREGISTERED_DEVICE
import http2 from "node:http2";
import crypto from "node:crypto";
import fs from "node:fs";

const [log, pubPath, keyId, teamId, topic, gone] = process.argv.slice(2);
const publicKey = crypto.createPublicKey(fs.readFileSync(pubPath));
const b64 = (s) => Buffer.from(s.replace(/-/g, "+").replace(/_/g, "/"), "base64");

const server = http2.createServer();
server.on("stream", (stream, headers) => {
  const chunks = [];
  stream.on("data", (c) => chunks.push(c));
  stream.on("end", () => {
    const body = Buffer.concat(chunks);
    const problems = [];
    const path = headers[":path"] || "";
    const m = /^\/3\/device\/([0-9a-f]{64})$/.exec(path);
    if (headers[":method"] !== "POST") problems.push("apns: method is not POST");
    if (!m) problems.push(`apns: path ${path} is not /3/device/<64 hex>`);
    if (headers["apns-topic"] !== topic) problems.push(`apns: apns-topic ${headers["apns-topic"]}`);
    if (headers["apns-push-type"] !== "alert") problems.push("apns: apns-push-type is not alert");
    if (!["5", "10"].includes(headers["apns-priority"])) problems.push("apns: apns-priority not 5 or 10");
    if (Buffer.byteLength(headers["apns-collapse-id"] || "") > 64) problems.push("apns: collapse id over 64 bytes");
    const auth = /^bearer (.+)\.(.+)\.(.+)$/.exec(headers["authorization"] || "");
    let claims = {};
    if (!auth) {
      problems.push("apns: no bearer provider token");
    } else {
      const header = JSON.parse(b64(auth[1]).toString());
      claims = JSON.parse(b64(auth[2]).toString());
      if (header.alg !== "ES256" || header.kid !== keyId) problems.push("apns: token header is not ES256 with the key id");
      if (claims.iss !== teamId) problems.push("apns: token iss is not the team id");
      if (Math.abs(Date.now() / 1000 - claims.iat) > 3600) problems.push("apns: token iat is not within an hour");
      const ok = crypto.verify("sha256", Buffer.from(`${auth[1]}.${auth[2]}`),
                               { key: publicKey, dsaEncoding: "ieee-p1363" }, b64(auth[3]));
      if (!ok) problems.push("apns: token signature does not verify");
    }
    let payload = {};
    try {
      payload = JSON.parse(body.toString("utf8"));
    } catch (e) {
      problems.push("apns: payload is not JSON");
    }
    if (body.length > 4096) problems.push("apns: payload over 4096 bytes");
    if (!payload.aps || !payload.aps.alert || !payload.aps.alert.body) problems.push("apns: no aps.alert.body");
    const device = m ? m[1] : "";
    const status = device === gone ? 410 : 200;
    fs.appendFileSync(log, JSON.stringify({
      provider: "apns", status, problems, key: headers["idempotency-key"] || null,
      fields: { device, priority: headers["apns-priority"], collapse: headers["apns-collapse-id"], payload },
    }) + "\n");
    if (status === 410) {
      stream.respond({ ":status": 410, "content-type": "application/json", "apns-id": crypto.randomUUID() });
      stream.end(JSON.stringify({ reason: "Unregistered", timestamp: Date.now() }));
    } else {
      stream.respond({ ":status": 200, "apns-id": crypto.randomUUID() });
      stream.end();
    }
  });
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
setTimeout(() => process.exit(0), 300_000).unref();
