// "Find a place": settlements by name as people type it (Kazakh, Russian, Latin letters, a
// former name such as Tselinograd or Semipalatinsk), the largest first. Choosing one shows it
// on the map and selects its district, so every layer shows what that home place has.

import { getJSON, isAbort, withQuery } from "./api.js";
import { debounce, h, replaceChildren } from "./dom.js";
import { formatNumber, gettext, interpolate, language } from "./i18n.js";

const MIN_LENGTH = 2;
const RESULTS = 8;
const TYPING_PAUSE_MS = 250;

export class PlaceSearch {
  /** elements: {form, input, status, results}; listUrl: the settlements layer's GeoJSON list;
   *  onChoose(feature): the user picked a settlement; onError(error): a search failed. */
  constructor(elements, { listUrl, onChoose, onError }) {
    this.el = elements;
    this.listUrl = listUrl;
    this.onChoose = onChoose;
    this.onError = onError;
    this.pending = null;
    elements.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.search();
    });
    elements.input.addEventListener("input", debounce(() => this.search(), TYPING_PAUSE_MS));
  }

  async search() {
    const text = this.el.input.value.trim();
    this.pending?.abort(); // a later text wins over a slow earlier answer
    if (text.length < MIN_LENGTH) {
      this.show([], "");
      return;
    }
    this.pending = new AbortController();
    try {
      const body = await getJSON(withQuery(this.listUrl, {
        q: text, ordering: "-population", limit: RESULTS, lang: language,
      }), { signal: this.pending.signal });
      this.show(body.features, body.features.length
        ? interpolate(gettext("Places found: %(count)s"), { count: body.features.length }, true)
        : gettext("No town or village of that name."));
    } catch (error) {
      if (!isAbort(error)) this.onError(error);
    }
  }

  show(features, message) {
    this.el.status.textContent = message;
    this.el.results.hidden = features.length === 0;
    replaceChildren(this.el.results, features.map((feature) => h("li", {}, h("button", {
      type: "button", on: { click: () => this.onChoose(feature) },
    }, h("span", {}, h("strong", {}, feature.properties.name), h("br"),
      h("span", { class: "muted small" }, describe(feature.properties)))))));
  }
}

/** Astana, Almaty, Shymkent: a settlement that is an oblast-level unit, its KATO code its
 *  own oblast's (its "district" is only the city district its point lies in). */
export function isRepublicanCity(place) {
  return place.kato === place.oblast;
}

/** Which of the namesakes this is: district and oblast, population, former names. */
function describe(place) {
  const parts = [];
  const areas = isRepublicanCity(place) ? [] : [place.district_name, place.oblast_name];
  for (const name of areas) {
    if (name && name !== place.name && !parts.includes(name)) parts.push(name);
  }
  if (place.population) {
    parts.push(interpolate(gettext("population %(count)s"), { count: formatNumber(place.population) }, true));
  }
  if (place.former_names) parts.push(interpolate(gettext("formerly %(names)s"), { names: place.former_names }, true));
  return parts.join(" · ");
}
