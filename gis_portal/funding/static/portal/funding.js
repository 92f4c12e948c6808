// The pledge form (funding/_pledge_form.html) without a page reload: it posts to the funding
// API with the page's CSRF token, says what happened in its status line, and updates the
// fundraiser's progress (funding/_progress.html) in place. Without JavaScript the same form
// is a plain POST that the server answers with a page.

const catalogue = window.django || {};
const gettext = catalogue.gettext || ((text) => text);
const interpolate = catalogue.interpolate || ((format) => format);

const language = document.documentElement.lang || "kk";
const moneyFormat = new Intl.NumberFormat(language, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percentFormat = new Intl.NumberFormat(language, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

function tenge(amount) {
  return interpolate(gettext("%(amount)s ₸"), { amount: moneyFormat.format(Number(amount)) }, true);
}

function showProgress(progress) {
  const id = String(progress.id);
  const values = {
    goal: tenge(progress.goal),
    pledged: tenge(progress.pledged),
    confirmed: tenge(progress.confirmed),
    remaining: tenge(progress.remaining),
    percent_pledged: percentFormat.format(Number(progress.percent_pledged)),
    percent_confirmed: percentFormat.format(Number(progress.percent_confirmed)),
  };
  const scopes = document.querySelectorAll(`[data-funding-progress="${id}"], [data-funding-pledge="${id}"]`);
  for (const scope of scopes) {
    for (const element of scope.querySelectorAll("[data-funding-value]")) {
      const value = values[element.dataset.fundingValue];
      if (value !== undefined) element.textContent = value;
    }
    for (const bar of scope.querySelectorAll("progress[data-funding-bar]")) {
      bar.max = Number(progress.goal);
      bar.value = Number(progress[bar.dataset.fundingBar]);
      bar.textContent = `${values["percent_" + bar.dataset.fundingBar]} %`;
    }
  }
}

function enhance(form) {
  const token = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const amountInput = form.querySelector("[name=amount]");
  const errorLine = form.querySelector("[data-funding-error]");
  const statusLine = form.querySelector("[data-funding-status]");
  const button = form.querySelector("button[type=submit]");

  // Typing an amount chooses "an amount".
  amountInput.addEventListener("input", () => {
    form.querySelector("[name=amount_choice][value=amount]").checked = true;
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const whole = form.querySelector("[name=amount_choice][value=remainder]").checked;
    const body = {
      amount: whole ? "remainder" : amountInput.value,
      anonymous: form.querySelector("[name=anonymous]").checked,
    };
    errorLine.textContent = "";
    statusLine.textContent = "";
    amountInput.removeAttribute("aria-invalid");
    button.disabled = true;
    try {
      const response = await fetch(form.dataset.apiUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
        body: JSON.stringify(body),
      });
      let answer = null;
      try {
        answer = await response.json();
      } catch {
        // Not JSON: the status text says enough.
      }
      if (!response.ok) {
        errorLine.textContent = (answer && answer.error) || response.statusText;
        if (answer && answer.field === "amount") {
          amountInput.setAttribute("aria-invalid", "true");
          amountInput.focus();
        }
        if (response.status === 409) refreshProgress(form);
        return;
      }
      showProgress(answer.fundraiser);
      amountInput.value = "";
      statusLine.textContent = interpolate(
        gettext("Thank you: you pledged %(amount)s. The akimat staff confirm it when the money arrives."),
        { amount: tenge(answer.pledge.amount) }, true);
    } catch {
      errorLine.textContent = gettext("The portal could not be reached. Check your connection and try again.");
    } finally {
      button.disabled = false;
    }
  });
}

async function refreshProgress(form) {
  try {
    const response = await fetch(form.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.ok) showProgress(await response.json());
  } catch {
    // The refusal message is already shown; the figures update on the next visit.
  }
}

for (const form of document.querySelectorAll("form[data-funding-form]")) {
  if (!form.dataset.fundingEnhanced) {
    form.dataset.fundingEnhanced = "1";
    enhance(form);
  }
}
