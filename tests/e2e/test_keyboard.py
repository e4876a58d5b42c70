"""A keyboard-only journey through the application form: every focused element shows a visible
focus indicator, a bad submit moves focus to the error summary, and Tab never gets stuck (no
keyboard trap: focus goes through the form and out of it, and Shift+Tab comes back)."""

from tests.e2e.journeys import E2E

pytestmark = E2E

FOCUS_INFO = r"""() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  // a ring drawn with box-shadow counts when it is not transparent and has a size
  const sizes = (s.boxShadow.match(/-?[0-9.]+px/g) || []).map(parseFloat);
  const transparent = /rgba\([^)]*,\s*0\)/.test(s.boxShadow);
  const shadow = s.boxShadow !== 'none' && !transparent && sizes.some((n) => n > 0);
  const label = el.name || el.id || (el.textContent || '').trim().slice(0, 40) || el.tagName;
  return {tag: el.tagName, name: el.getAttribute('name'), id: el.id, label: label,
          type: el.getAttribute('type'), visible: outline || shadow,
          summary: el.matches('[data-error-summary]'), inForm: !!el.closest('main form')};
}"""


def tab(page, backwards=False):
    page.keyboard.press("Shift+Tab" if backwards else "Tab")
    page.wait_for_timeout(250)  # Bootstrap animates the focus ring (transition .15s)
    return page.evaluate(FOCUS_INFO)


def assert_visible(info, previous):
    """The focused element shows a ring. Exception: chromium's date input has extra stops inside
    its shadow DOM (the day, month and year parts, then the calendar button); the last one draws
    chromium's own focus ring on the button, which getComputedStyle of the input cannot see. Those
    repeated stops count when the input itself showed its ring at its first stop."""
    if info["type"] == "date" and previous and previous["name"] == info["name"] and previous["visible"]:
        info["visible"] = True
        return
    assert info["visible"], f"no visible focus on {info}"


def tab_to(page, predicate, limit=80):
    """Tabs until `predicate(info)`; every stop on the way must show its focus."""
    seen = []
    previous = None
    for _ in range(limit):
        info = tab(page)
        if info is None:
            continue
        assert_visible(info, previous)
        previous = info
        seen.append(info["label"])
        if predicate(info):
            return info, seen
    raise AssertionError(f"not reached with Tab in {limit} presses; focus went through {seen}")


def test_keyboard_only_application_form(demo, e2e, browser_page, shots):
    page = browser_page("sara.sokande")
    page.goto(f"{e2e.url}/ansok/")
    page.evaluate("document.activeElement && document.activeElement.blur()")

    # choose the service with the keyboard: Tab to the radio group, arrow to a service, Space, Enter
    tab_to(page, lambda i: i["name"] == "service")
    page.keyboard.press("Space")
    assert page.evaluate("document.querySelector('input[name=service]:checked') !== null")
    tab_to(page, lambda i: i["tag"] == "BUTTON" and i["inForm"] and i["name"] is None)
    shots(page, "keyboard choose service")
    page.keyboard.press("Enter")
    page.wait_for_url("**/om-dig/")

    # a bad submit: clear the first name, submit from the keyboard
    tab_to(page, lambda i: i["name"] == "first_name")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    tab_to(page, lambda i: i["name"] == "next")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-error-summary]")
    focused = page.evaluate(FOCUS_INFO)
    assert focused and focused["summary"], f"the error summary is not focused: {focused}"
    assert focused["visible"]
    shots(page, "keyboard error summary focused")
    link = tab(page)
    assert link["tag"] == "A" and link["visible"], link  # the summary's first link to the field

    # fix it with the keyboard and go on
    tab_to(page, lambda i: i["name"] == "first_name")
    page.keyboard.type("Sara")
    for name, text in [("last_name", "Sökande"), ("phone", "070-123 45 67")]:
        tab_to(page, lambda i, name=name: i["name"] == name)
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
    tab_to(page, lambda i: i["name"] == "meeting_preference")
    page.keyboard.press("Space")
    tab_to(page, lambda i: i["name"] == "municipality")
    page.keyboard.press("Control+A")
    page.keyboard.type("Sundsvall")
    tab_to(page, lambda i: i["name"] == "next")
    page.keyboard.press("Enter")
    page.wait_for_url("**/anstallning/", timeout=15_000)
    shots(page, "keyboard step two")

    # no trap: from the top of the page, Tab passes every control of the form, leaves it, and
    # Shift+Tab walks back into it
    tab_to(page, lambda i: i["name"] == "employer_name")
    stops = []
    for _ in range(120):
        info = tab(page)
        if info is None:
            break
        assert_visible(info, stops[-1] if stops else None)
        stops.append(info)
        if not info["inForm"] and len(stops) > 3:
            break
    names = {s["name"] for s in stops}
    assert {"situation", "was_ceo", "next"} <= names, [s["label"] for s in stops]
    assert not stops[-1]["inForm"], "focus never left the form (keyboard trap?)"
    back = tab(page, backwards=True)
    assert back is not None and back["inForm"], back
