// The statistics' period form shows only the fields of the chosen period. Without JavaScript
// every field shows, and the server reads only those the chosen period uses.
const FIELDS = {
  month: ["year", "month"],
  quarter: ["year", "quarter"],
  year: ["year"],
  custom: ["start", "end"],
};

const form = document.querySelector("[data-period-form]");
const period = form?.elements.namedItem("period");

function show() {
  const wanted = FIELDS[period.value] || Object.values(FIELDS).flat();
  for (const name of ["year", "month", "quarter", "start", "end"]) {
    const input = form.elements.namedItem(name);
    const box = input?.closest(".field");
    if (!box) continue;
    const used = wanted.includes(name);
    box.hidden = !used;
    // A hidden field is left out of the address too; its value comes back with its period.
    input.disabled = !used;
  }
}

if (period) {
  period.addEventListener("change", show);
  show();
}
