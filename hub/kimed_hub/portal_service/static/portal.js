// Search page: a ticked or unticked facet, or a new sort order, applies at once.
// Without JavaScript the "Apply filters" button does the same.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("search-form");
  if (!form) return;
  form.querySelectorAll(".portal-facet input, #sort").forEach((input) =>
    input.addEventListener("change", () => form.submit()),
  );
});
