// A small client of NCALayer, the NCA RK signing application that listens on a local
// WebSocket (wss://127.0.0.1:13579). One request per connection: module
// kz.gov.pki.knca.basics, method sign, a detached CMS over base64 data (design/eds.md A1, B2).

export class NcaLayerError extends Error {
  /**
   * kind: "unavailable" (nothing answered on the socket), "cancelled" (the user closed the
   * signing dialog) or "failed" (NCALayer answered with an error; `code` names it).
   */
  constructor(kind, code = "") {
    super(code ? `NCALayer ${kind}: ${code}` : `NCALayer ${kind}`);
    this.name = "NcaLayerError";
    this.kind = kind;
    this.code = code;
  }
}

/** Resolves to the CMS NCALayer returns (PEM or base64), or rejects with an NcaLayerError. */
export function signCms(url, { data, signerParams, locale }) {
  const request = {
    module: "kz.gov.pki.knca.basics",
    method: "sign",
    args: {
      allowedStorages: null, // every storage NCALayer supports: key files, ID cards, tokens
      format: "cms",
      data,
      signingParams: { decode: true, encapsulate: false, digested: false },
      signerParams,
      locale,
    },
  };
  return new Promise((resolve, reject) => {
    let socket;
    let settled = false;
    const settle = (outcome, value) => {
      if (settled) return;
      settled = true;
      socket.close();
      outcome(value);
    };
    try {
      socket = new WebSocket(url);
    } catch {
      reject(new NcaLayerError("unavailable"));
      return;
    }
    socket.onopen = () => socket.send(JSON.stringify(request));
    // A refused connection fires "error", then "close"; closing before the answer means the
    // same to the user: no NCALayer to talk to.
    socket.onerror = () => settle(reject, new NcaLayerError("unavailable"));
    socket.onclose = () => settle(reject, new NcaLayerError("unavailable"));
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        settle(reject, new NcaLayerError("failed", "UNREADABLE_RESPONSE"));
        return;
      }
      if (!("status" in message)) return; // the greeting {"result": {"version": …}} on connect
      if (message.status !== true) {
        settle(reject, new NcaLayerError("failed", String(message.code || "")));
        return;
      }
      const result = message.body ? message.body.result : undefined;
      if (result === undefined || result === null) {
        settle(reject, new NcaLayerError("cancelled")); // {"status": true, "body": {}}
      } else {
        settle(resolve, Array.isArray(result) ? result[0] : result);
      }
    };
  });
}
