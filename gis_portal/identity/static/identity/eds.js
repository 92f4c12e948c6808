// The EDS confirmation page: get a challenge from the portal, have NCALayer sign it, send the
// signature back, and say plainly what happened at each step.
// On the step-up page (config.purpose "reveal_contacts") the challenge names config.target;
// a good signature opens reveals of that target in this session, then goes back to config.next.

import { NcaLayerError, signCms } from "./ncalayer.js";

const catalogue = window.django || {};
const gettext = catalogue.gettext || ((text) => text);
const interpolate = catalogue.interpolate || ((format) => format);

const config = JSON.parse(document.getElementById("eds-config").textContent);
const button = document.querySelector("[data-eds-sign]");
const statusLine = document.querySelector("[data-eds-status]");
const currentStatus = document.querySelector("[data-eds-current]");
const csrfToken = document.querySelector(".eds-actions [name=csrfmiddlewaretoken]").value;

const stepUp = config.purpose === "reveal_contacts";

class ServerError extends Error {}

function show(state, text) {
  statusLine.hidden = false;
  statusLine.dataset.state = state; // "working", "done" or "error"
  statusLine.textContent = text;
}

async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken },
    body: JSON.stringify(body),
  });
  let answer = null;
  try {
    answer = await response.json();
  } catch {
    // Not JSON: the status text says enough.
  }
  if (!response.ok) throw new ServerError((answer && answer.error) || response.statusText);
  return answer;
}

function formatTime(iso) {
  return new Intl.DateTimeFormat(config.locale, { dateStyle: "short", timeStyle: "short" }).format(new Date(iso));
}

function explain(error, stage) {
  if (error instanceof NcaLayerError) {
    if (error.kind === "unavailable") {
      return gettext("NCALayer is not running. Start NCALayer on this computer, then try again.");
    }
    if (error.kind === "cancelled") return gettext("Signing was cancelled. Nothing was sent.");
    return interpolate(gettext("NCALayer reported an error (%s). Try again, or restart NCALayer."), [error.code || "?"]);
  }
  if (error instanceof ServerError) {
    return stage === "verify"
      ? interpolate(gettext("The portal did not accept the signature: %s"), [error.message])
      : error.message;
  }
  return gettext("The portal could not be reached. Check your connection and try again.");
}

async function confirmIdentity() {
  button.disabled = true;
  let stage = "challenge";
  try {
    show("working", gettext("Preparing the text to sign…"));
    const request = stepUp ? { purpose: config.purpose, target: config.target } : { purpose: "confirm_identity" };
    const challenge = await postJSON(config.challengesUrl, request);
    stage = "sign";
    show("working", gettext("Choose your key and enter its password in the NCALayer window."));
    const cms = await signCms(config.ncalayerUrl, {
      data: challenge.data,
      signerParams: challenge.signer_params,
      locale: config.locale,
    });
    stage = "verify";
    show("working", gettext("Checking the signature…"));
    const result = await postJSON(`${config.challengesUrl}/${challenge.id}/verify`, { cms });
    currentStatus.hidden = true; // the server's "not confirmed" line is out of date now
    if (stepUp && result.step_up_until) {
      show("done", interpolate(gettext("Thank you. You can see these contacts until %s."), [formatTime(result.step_up_until)]));
      if (config.next) window.location.assign(config.next);
    } else {
      show("done", interpolate(gettext("Your identity is confirmed until %s."), [formatTime(result.until)]));
    }
  } catch (error) {
    show("error", explain(error, stage));
  } finally {
    button.disabled = false;
  }
}

button.addEventListener("click", confirmIdentity);
