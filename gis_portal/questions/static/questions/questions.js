// The spatial questions page: pick a question, set its parameters, click or draw on the map,
// ask the API (/api/questions/<kind>/) and draw and list the answer; save it for a permalink.
// Everything the script needs comes from the json_script block; the API says what is wrong.

import { addBasemap } from "../portal/js/basemap.js";
import { addControls } from "../portal/js/controls.js";
import { formatNumber, gettext, interpolate, language, localName } from "../portal/js/i18n.js";

const config = JSON.parse(document.getElementById("questions-config").textContent);
const form = document.querySelector("[data-question-form]");
const kindSelect = form.querySelector("[data-kind]");
const errorBox = form.querySelector("[data-error]");
const drawStatus = form.querySelector("[data-draw-status]");
const finishButton = form.querySelector("[data-draw-finish]");
const geometryInput = form.elements.geometry;
const summary = document.querySelector("[data-answer-summary]");
const notesList = document.querySelector("[data-answer-notes]");
const answerList = document.querySelector("[data-answer-list]");
const downloads = document.querySelector("[data-downloads]");
const savedLink = form.querySelector("[data-saved-link]");

const COLOURS = ["#1f4eb3", "#1a7f37", "#a3400f", "#6f42c1", "#0b6e79", "#8a6d00", "#b03a2e",
  "#444f5a"];
const SHAPE_STYLE = { color: "#7a4100", weight: 3, dashArray: "6 4", fillOpacity: 0.08 };
const LIST_LIMIT = 100;

const map = L.map(document.querySelector("[data-questions-map]"), {
  center: config.center, zoom: config.zoom, minZoom: config.minZoom, maxZoom: config.maxZoom,
  zoomControl: false,
});
addControls(map);
addBasemap(map, config).catch((error) => console.warn("basemap:", error.message));
const sketch = L.layerGroup().addTo(map);
const answerLayer = L.featureGroup().addTo(map);

// --- which fields belong to which question ---------------------------------------------------
function showFieldsOf(kind) {
  for (const element of form.querySelectorAll("[data-for]")) {
    element.hidden = !element.dataset.for.split(" ").includes(kind);
  }
}

function parametersOf(kind) {
  const parameters = {};
  const question = config.questions.find((q) => q.kind === kind);
  for (const name of question.parameters) {
    const input = form.elements[name];
    if (!input || input.closest("[hidden]")) continue;
    const value = input.value.trim();
    if (value) parameters[name] = value;
  }
  // A drawn shape wins over typed coordinates; a chosen route over a drawn line.
  if (parameters.geometry) { delete parameters.lon; delete parameters.lat; }
  if (parameters.route) delete parameters.geometry;
  return parameters;
}

function apiUrl(kind, parameters, format) {
  const query = new URLSearchParams({ ...parameters, lang: language });
  if (format) query.set("format", format);
  return `/api/questions/${kind}/?${query}`;
}

// --- drawing ---------------------------------------------------------------------------------
let mode = "point";
let vertices = [];

function redrawSketch() {
  sketch.clearLayers();
  const lon = parseFloat(form.elements.lon.value);
  const lat = parseFloat(form.elements.lat.value);
  if (!geometryInput.value && Number.isFinite(lon) && Number.isFinite(lat)) {
    L.circleMarker([lat, lon], { radius: 7, ...SHAPE_STYLE, fillOpacity: 0.6 }).addTo(sketch);
  }
  if (vertices.length) {
    const latlngs = vertices.map(([x, y]) => [y, x]);
    (mode === "polygon" ? L.polygon(latlngs, SHAPE_STYLE) : L.polyline(latlngs, SHAPE_STYLE))
      .addTo(sketch);
  } else if (geometryInput.value) {
    try { L.geoJSON(JSON.parse(geometryInput.value), { style: SHAPE_STYLE }).addTo(sketch); }
    catch { /* the server says what is wrong with typed GeoJSON */ }
  }
}

function setMode(next) {
  mode = next;
  vertices = [];
  finishButton.hidden = next === "point";
  drawStatus.textContent = next === "point"
    ? gettext("Click the map to set the point.")
    : gettext("Click the map to add points, then press “Finish drawing”.");
}

map.on("click", (event) => {
  const x = Number(event.latlng.lng.toFixed(6));
  const y = Number(event.latlng.lat.toFixed(6));
  if (mode === "point") {
    form.elements.lon.value = x;
    form.elements.lat.value = y;
    geometryInput.value = "";
  } else {
    vertices.push([x, y]);
    drawStatus.textContent = interpolate(gettext("%(n)s points drawn."), { n: vertices.length }, true);
  }
  redrawSketch();
});

function finishDrawing() {
  const needed = mode === "polygon" ? 3 : 2;
  if (vertices.length < needed) {
    drawStatus.textContent = interpolate(gettext("Draw at least %(n)s points."), { n: needed }, true);
    return;
  }
  const geometry = mode === "polygon"
    ? { type: "Polygon", coordinates: [[...vertices, vertices[0]]] }
    : { type: "LineString", coordinates: vertices };
  geometryInput.value = JSON.stringify(geometry);
  form.elements.lon.value = "";
  form.elements.lat.value = "";
  if (form.elements.route) form.elements.route.value = "";
  vertices = [];
  drawStatus.textContent = gettext("Shape drawn.");
  redrawSketch();
}

form.querySelectorAll("[data-draw]").forEach((button) => {
  button.addEventListener("click", () => setMode(button.dataset.draw));
});
finishButton.addEventListener("click", finishDrawing);
form.querySelector("[data-draw-clear]").addEventListener("click", () => {
  vertices = [];
  geometryInput.value = "";
  form.elements.lon.value = "";
  form.elements.lat.value = "";
  drawStatus.textContent = "";
  redrawSketch();
});
geometryInput.addEventListener("change", redrawSketch);

// --- the answer ------------------------------------------------------------------------------
function featureLabel(feature) {
  const p = feature.properties;
  const name = typeof p.name === "object" && p.name ? localName(p.name) : (p.name || p.title);
  return name || p.kato || `#${feature.id}`;
}

function featureLine(feature) {
  const p = feature.properties;
  const item = document.createElement("li");
  const label = featureLabel(feature);
  // Settlements have no url property: their page is the settlement's (position, reports).
  const url = p.url || (p.group === config.settlementsLayer && p.kato
    ? config.urls.settlement.replace(config.katoPlaceholder, p.kato) : null);
  if (url) {
    const link = document.createElement("a");
    link.href = url;
    link.textContent = label;
    item.append(link);
  } else {
    item.append(label);
  }
  if (p.distance_m !== undefined && p.distance_m !== null) {
    item.append(` · ${interpolate(gettext("%(km)s km"), { km: formatNumber(p.distance_m / 1000) }, true)}`);
  }
  if (p.unemployment_rate !== undefined) item.append(` · ${formatNumber(p.unemployment_rate)} %`);
  return item;
}

function gapTable(features) {
  const wrap = document.createElement("div");
  wrap.className = "answer-scroll";
  const table = document.createElement("table");
  table.className = "answer-table";
  const head = table.createTHead().insertRow();
  for (const title of [gettext("Rural okrug"), gettext("Open help requests"),
    gettext("Volunteers"), gettext("Gap")]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = title;
    head.append(th);
  }
  const body = table.createTBody();
  const hidden = interpolate(gettext("under %(n)s"), { n: config.minGroup }, true);
  for (const feature of features.slice(0, LIST_LIMIT)) {
    const p = feature.properties;
    const row = body.insertRow();
    row.insertCell().textContent = p.name;
    row.insertCell().textContent = p.help_open === null ? hidden : formatNumber(p.help_open);
    row.insertCell().textContent = !p.volunteers_available ? gettext("not available")
      : (p.volunteers === null ? hidden : formatNumber(p.volunteers));
    row.insertCell().textContent = p.gap === null ? "—" : formatNumber(p.gap);
  }
  wrap.append(table);
  return wrap;
}

function popupText(feature) {
  const p = feature.properties;
  const element = document.createElement("div");
  const title = document.createElement("strong");
  title.textContent = featureLabel(feature);
  element.append(title);
  if (p.help_open !== undefined) {
    element.append(document.createElement("br"),
      `${gettext("Open help requests")}: ${p.help_open ?? "—"}; ${gettext("Volunteers")}: ${p.volunteers ?? "—"}`);
  }
  return element;
}

function showAnswer(answer) {
  answerLayer.clearLayers();
  answerList.replaceChildren();
  notesList.replaceChildren(...answer.notes.map((note) => {
    const item = document.createElement("li");
    item.textContent = note;
    return item;
  }));
  const colourOf = Object.fromEntries(answer.groups.map((g, i) => [g.name, COLOURS[i % COLOURS.length]]));
  if (answer.shape) {
    L.geoJSON(answer.shape, {
      style: SHAPE_STYLE,
      pointToLayer: (feature, latlng) => L.circleMarker(latlng, { radius: 7, ...SHAPE_STYLE, fillOpacity: 0.6 }),
    }).addTo(answerLayer);
  }
  L.geoJSON(answer, {
    style: (feature) => (feature.geometry?.type === "Point"
      ? { color: "#ffffff", weight: 1, fillColor: colourOf[feature.properties.group], fillOpacity: 0.9 }
      : { color: colourOf[feature.properties.group], weight: 2, fillOpacity: 0.15 }),
    pointToLayer: (feature, latlng) => L.circleMarker(latlng, {
      radius: 6, color: "#ffffff", weight: 1, fillColor: colourOf[feature.properties.group], fillOpacity: 0.9,
    }),
    onEachFeature: (feature, drawn) => drawn.bindPopup(() => popupText(feature)),
  }).addTo(answerLayer);
  let total = 0;
  for (const group of answer.groups) {
    total += group.total;
    const features = answer.features.filter((f) => f.properties.group === group.name);
    const section = document.createElement("section");
    section.className = "answer-group";
    const heading = document.createElement("h3");
    heading.textContent = `${group.title}: ${formatNumber(group.total)}`;
    section.append(heading);
    if (!features.length) continue;
    if (answer.kind === "help-gaps") {
      section.append(gapTable(features));
    } else {
      const list = document.createElement("ol");
      list.append(...features.slice(0, LIST_LIMIT).map(featureLine));
      section.append(list);
    }
    if (group.total > Math.min(features.length, LIST_LIMIT)) {
      const more = document.createElement("p");
      more.className = "muted small";
      more.textContent = gettext("More in the downloads.");
      section.append(more);
    }
    answerList.append(section);
  }
  summary.textContent = interpolate(gettext("%(n)s results."), { n: formatNumber(total) }, true);
  // Frame the question's own place (a long route passing by would zoom out to the oblast).
  let bounds = answerLayer.getBounds();
  if (answer.shape && answer.km) {
    const shape = L.geoJSON(answer.shape).getBounds();
    const centre = shape.getCenter();
    bounds = shape.extend(centre.toBounds(answer.km * 2000));
  } else if (answer.shape) {
    bounds = L.geoJSON(answer.shape).getBounds();
  }
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 13, animate: false });
  map.getContainer().dataset.answerDrawn = answer.kind;
}

async function ask(event) {
  event?.preventDefault();
  const kind = kindSelect.value;
  const parameters = parametersOf(kind);
  errorBox.hidden = true;
  summary.textContent = gettext("Loading…");
  const response = await fetch(apiUrl(kind, parameters), { headers: { Accept: "application/geo+json" } });
  const body = await response.json();
  if (!response.ok) {
    errorBox.textContent = body.error || gettext("The question could not be answered.");
    errorBox.hidden = false;
    summary.textContent = "";
    return;
  }
  for (const format of ["csv", "gpkg"]) {
    downloads.querySelector(`[data-download="${format}"]`).href = apiUrl(kind, parameters, format);
  }
  downloads.hidden = false;
  showAnswer(body);
}

async function save() {
  const kind = kindSelect.value;
  const token = document.querySelector("[name=csrfmiddlewaretoken]").value;
  const response = await fetch(config.saveUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
    body: JSON.stringify({ kind, parameters: parametersOf(kind) }),
  });
  const body = await response.json();
  if (!response.ok) {
    errorBox.textContent = body.error;
    errorBox.hidden = false;
    return;
  }
  errorBox.hidden = true;
  const link = document.createElement("a");
  link.href = body.url;
  link.textContent = new URL(body.url, window.location.href).href;
  savedLink.replaceChildren(gettext("Saved. Its link:") + " ", link);
}

async function loadRoutes() {
  const select = form.querySelector("[data-route-select]");
  const response = await fetch(`/api/layers/eco-routes/?limit=500&lang=${language}`);
  if (!response.ok) return;
  const body = await response.json();
  for (const feature of body.features) {
    const option = document.createElement("option");
    option.value = feature.id;
    option.textContent = feature.properties.name || `#${feature.id}`;
    select.append(option);
  }
}

kindSelect.addEventListener("change", () => showFieldsOf(kindSelect.value));
form.addEventListener("submit", (event) => ask(event).catch((error) => {
  errorBox.textContent = error.message;
  errorBox.hidden = false;
}));
form.querySelector("[data-save]").addEventListener("click", () => save());

setMode("point");
const routesLoaded = loadRoutes().catch(() => {});
if (config.saved) {
  kindSelect.value = config.saved.kind;
  showFieldsOf(config.saved.kind);
  routesLoaded.then(() => {
    for (const [name, value] of Object.entries(config.saved.parameters)) {
      if (form.elements[name]) form.elements[name].value = value;
    }
    redrawSketch();
    ask();
  });
} else {
  showFieldsOf(kindSelect.value);
}
