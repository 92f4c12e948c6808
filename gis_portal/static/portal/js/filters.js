// A layer's filter form, generated from the catalogue's `filters` (name, label, type, choices):
// no filter is written here. Values are strings (arrays for multiple choices), exactly the
// query parameters the layer's API, tiles and exports take.

import { debounce, h } from "./dom.js";
import { gettext } from "./i18n.js";

// Typing in a text or number box waits for a pause before the map reloads.
const TYPING_DELAY_MS = 400;

function fieldId(slug, name, suffix = "") {
  return `filter-${slug}-${name}${suffix}`;
}

function choiceField(slug, filter, value) {
  if (filter.multiple) {
    const chosen = new Set([].concat(value ?? []));
    return h("fieldset", {},
      h("legend", {}, filter.label),
      filter.choices.map((choice, index) => h("label", { class: "check" },
        h("input", {
          type: "checkbox", name: filter.name, value: choice.value,
          id: fieldId(slug, filter.name, `-${index}`), checked: chosen.has(choice.value),
        }),
        choice.label)));
  }
  const id = fieldId(slug, filter.name);
  return [
    h("label", { class: "field-label", for: id }, filter.label),
    h("select", { class: "input", id, name: filter.name },
      h("option", { value: "" }, gettext("any")),
      filter.choices.map((choice) => h("option", {
        value: choice.value, selected: choice.value === value,
      }, choice.label))),
  ];
}

function booleanField(slug, filter, value) {
  const id = fieldId(slug, filter.name);
  return [
    h("label", { class: "field-label", for: id }, filter.label),
    h("select", { class: "input", id, name: filter.name },
      h("option", { value: "" }, gettext("any")),
      h("option", { value: "true", selected: value === "true" }, gettext("yes")),
      h("option", { value: "false", selected: value === "false" }, gettext("no"))),
  ];
}

function inputField(slug, filter, value, type) {
  const id = fieldId(slug, filter.name);
  return [
    h("label", { class: "field-label", for: id }, filter.label),
    h("input", {
      class: "input", id, name: filter.name, type, value: value ?? "",
      autocomplete: "off", "data-typing": type === "date" ? null : "",
      step: type === "number" ? "any" : null,
    }),
  ];
}

// A layer filter named "near" takes lon,lat: a button fills it from the device's position.
function nearField(slug, filter, value) {
  const [label, input] = inputField(slug, filter, value, "search");
  const locate = () => navigator.geolocation?.getCurrentPosition((position) => {
    input.value = `${position.coords.longitude.toFixed(4)},${position.coords.latitude.toFixed(4)}`;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
  return [label, input, h("button", { type: "button", class: "button button-secondary", on: { click: locate } },
    gettext("Use my location"))];
}

function field(slug, filter, value) {
  if (filter.name === "near" && filter.type === "text") return nearField(slug, filter, value);
  switch (filter.type) {
    case "choice": return choiceField(slug, filter, value);
    case "boolean": return booleanField(slug, filter, value);
    case "number": return inputField(slug, filter, value, "number");
    case "date": return inputField(slug, filter, value, "date");
    default: return inputField(slug, filter, value, "search");
  }
}

/** The form's current values: only the filters that are set. */
function readValues(form, filters) {
  const values = {};
  const data = new FormData(form);
  for (const filter of filters) {
    const items = data.getAll(filter.name).filter((item) => item !== "");
    if (!items.length) continue;
    values[filter.name] = filter.multiple ? items : items[0];
  }
  return values;
}

/**
 * A <form> for the entry's filters, prefilled with `values`; onChange(values) runs whenever
 * the user changes one (text after a pause) or resets the form.
 */
export function buildFilterForm(entry, values, onChange) {
  const form = h("form", { novalidate: true, "aria-label": entry.title },
    entry.filters.map((filter) => field(entry.slug, filter, values[filter.name])),
    h("div", { class: "filter-actions" },
      h("button", { type: "reset", class: "button button-secondary" }, gettext("Clear filters"))));
  const changed = () => onChange(readValues(form, entry.filters));
  const typed = debounce(changed, TYPING_DELAY_MS);
  form.addEventListener("input", (event) => {
    if (event.target.hasAttribute("data-typing")) typed();
  });
  form.addEventListener("change", (event) => {
    if (!event.target.hasAttribute("data-typing")) changed();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    changed();
  });
  // Reset restores the prefilled values; clearing means emptying every field.
  form.addEventListener("reset", (event) => {
    event.preventDefault();
    for (const element of form.elements) {
      if (element.type === "checkbox") element.checked = false;
      else if (element.name) element.value = "";
    }
    changed();
  });
  return form;
}
