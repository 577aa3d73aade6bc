"""The reusable 3D viewer: py3Dmol builds the view, 3Dmol.js comes from the dashboard's own copy.

`build_viewer_html(spec, js_url)` is pure (deterministic HTML, testable without Streamlit);
`render_viewer(spec)` puts it in an iframe. Every string from the file (the model text, chain
names, residue names) reaches the page only inside JSON whose `<`, `>` and `&` are escaped, so
`</script>` or HTML in a REMARK or a chain id cannot close the script or inject markup; labels are
drawn on the canvas or set with `textContent`, never as HTML.

The camera (rotation and zoom, 3Dmol's `getView()`) outlives a redraw: with a `camera_key`, the
page keeps it in the browser tab's sessionStorage and restores it after a colour or style change
rebuilds the iframe. A new framing target (`focus`, e.g. another CDR picked) frames afresh.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import py3Dmol

LOCAL_3DMOL = Path(__file__).resolve().parents[1] / "static" / "vendor" / "3Dmol-min.js"
LOCAL_3DMOL_PATH = "app/static/vendor/3Dmol-min.js"  # where Streamlit's static serving puts it
FETCH_HINT = "bash scripts/fetch_3dmol.sh"
STYLES = ("cartoon", "sticks", "surface")
DEFAULT_HEIGHT = 520


@dataclass(frozen=True)
class ViewerSpec:
    """Everything the view shows. Hashable, so the HTML is built once per spec."""

    model_text: str
    model_format: str  # "pdb" or "cif"
    colors: tuple[tuple[str, str, str, str], ...]  # (chain, residue label, #colour, hover info)
    default_color: str = "#AAAAAA"
    style: str = "cartoon"
    sticks: tuple[tuple[str, str], ...] = ()  # residues whose side chains are drawn as sticks
    focus: tuple[tuple[str, str], ...] = ()  # residues the initial view (and reset) zooms to
    focus_radius: float = 0.0  # Å around the focus residues also kept in frame (their neighbourhood)
    camera_key: str = ""  # the structure's identity: the camera is kept across redraws under it ("": not kept)
    legend: tuple[tuple[str, str], ...] = ()  # (#colour, text)
    legend_title: str = ""
    height: int = DEFAULT_HEIGHT
    title: str = field(default="3D structure")


def _safe_json(value: object) -> str:
    """JSON that is also safe inside an HTML <script>: no `<`, `>` or `&`, no raw U+2028/2029."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


@lru_cache(maxsize=16)
def camera_key(scope: str, model_text: str) -> str:
    """A `ViewerSpec.camera_key`: the viewer's scope and a digest of the model (once per text)."""
    return f"{scope}:{_digest(model_text)}"


def _nested(pairs: tuple[tuple[str, ...], ...]) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for chain, label, *rest in pairs:
        out.setdefault(chain, {})[label] = rest if rest else 1
    return out


# Our own JavaScript. Fixed text (no data), and without a single "<" so that escaping "<" in the
# whole script body (which only touches JSON strings) cannot change its meaning.
_VIEWER_JS = r"""
var P = __PAYLOAD__;
var V = viewer_UNIQUEID;
var BACKBONE = {N: 1, C: 1, O: 1, OXT: 1};
function abLab(a) { var ic = (P.f === 'pdb' && a.icode) ? String(a.icode).trim() : ''; return String(a.resi) + ic; }
function abGet(map, a) { var c = map[a.chain]; return c ? c[abLab(a)] : undefined; }
function abColor(a) { var r = abGet(P.c, a); return r ? r[0] : P.d; }
function abPolymer(a) { return abGet(P.c, a) !== undefined || !a.hetflag; }
function abStick(a) { return abGet(P.k, a) !== undefined && !(a.atom in BACKBONE); }
function abFocus(a) { return abGet(P.z, a) !== undefined; }
V.setStyle({}, {});
if (P.s === 'sticks') {
  V.setStyle({predicate: abPolymer}, {stick: {colorfunc: abColor, radius: 0.2}});
} else {
  V.setStyle({predicate: abPolymer}, {cartoon: {colorfunc: abColor}});
}
V.addStyle({predicate: function (a) { return !abPolymer(a); }}, {stick: {colorscheme: 'grayCarbon', radius: 0.18}});
V.addStyle({predicate: abStick}, {stick: {colorfunc: abColor, radius: 0.25}});
if (P.s === 'surface') {
  V.addSurface($3Dmol.SurfaceType.VDW, {colorfunc: abColor, opacity: 0.92}, {predicate: abPolymer});
}
var info = document.getElementById('abdash-info');
V.setHoverable({}, true, function (atom, viewer) {
  if (!atom) { return; }
  var r = abGet(P.c, atom);
  var extra = (r && r[1]) ? r[1] : '';
  var imgt = /^IMGT ([^ ]+)(?: · (.*))?$/.exec(extra);  // V-domain residues: the IMGT label first, as every tab
  var text = imgt
    ? 'Chain ' + atom.chain + ' · ' + atom.resn + ' IMGT ' + imgt[1] + ' · file ' + abLab(atom) + (imgt[2] ? ' · ' + imgt[2] : '')
    : 'Chain ' + atom.chain + ' · ' + atom.resn + ' ' + abLab(atom) + (extra ? ' · ' + extra : '');
  info.textContent = text;
  info.style.visibility = 'visible';
  if (!atom.abLabel) {
    atom.abLabel = viewer.addLabel(text, {position: atom, backgroundColor: '#1F2937', backgroundOpacity: 0.85,
      fontColor: 'white', fontSize: 12, borderThickness: 0, inFront: true, showBackground: true});
  }
}, function (atom, viewer) {
  if (atom && atom.abLabel) { viewer.removeLabel(atom.abLabel); delete atom.abLabel; }
  info.style.visibility = 'hidden';
});
function abFrame() {
  if (!P.hasFocus) { V.zoomTo(); return; }
  var sel = {predicate: abFocus};
  V.zoomTo(P.r > 0 ? {within: {distance: P.r, sel: sel}} : sel);
}
var CAM = P.cam ? 'abdash-camera:' + P.cam : '';
function abStore() { try { return window.sessionStorage; } catch (e) { return null; } }
function abKept() {
  var store = abStore();
  if (!CAM || !store) { return null; }
  try {
    var kept = JSON.parse(store.getItem(CAM) || 'null');
    return (kept && kept.f === P.zf && kept.v && kept.v.length === 8) ? kept.v : null;
  } catch (e) { return null; }
}
function abKeep(v) {
  var store = abStore();
  if (!CAM || !store) { return; }
  try { store.setItem(CAM, JSON.stringify({f: P.zf, v: v})); } catch (e) { }
}
abFrame();
V.render();
var home = V.getView();
var kept = abKept();
if (kept) { V.setView(kept); V.render(); }
V.setViewChangeCallback(abKeep);
window.abdashReset = function () { V.setView(home); V.render(); abKeep(home); };
window.abdashViewer = V;
document.getElementById('abdash-viewer').setAttribute('data-ready', '1');
"""

_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>
html, body {{ margin: 0; padding: 0; background: #fff; font-family: "Source Sans Pro", "Source Sans 3", system-ui, sans-serif; }}
#abdash-wrap {{ position: relative; width: 100%; height: {height}px; border: 1px solid #E5E7EB; border-radius: 8px; overflow: hidden; box-sizing: border-box; }}
#abdash-info {{ position: absolute; top: 8px; left: 10px; z-index: 10; font-size: 13px; color: #111827; background: rgba(255,255,255,0.9);
  padding: 2px 8px; border-radius: 4px; visibility: hidden; pointer-events: none; }}
#abdash-reset {{ position: absolute; top: 8px; right: 10px; z-index: 10; font-size: 13px; padding: 3px 10px; border: 1px solid #D1D5DB;
  background: #fff; border-radius: 6px; cursor: pointer; color: #111827; }}
#abdash-reset:hover {{ background: #F3F4F6; }}
#abdash-legend {{ position: absolute; left: 10px; bottom: 8px; z-index: 10; font-size: 12px; color: #111827; background: rgba(255,255,255,0.9);
  padding: 4px 8px; border-radius: 4px; pointer-events: none; max-width: 90%; }}
#abdash-legend .t {{ font-weight: 600; margin-right: 8px; }}
#abdash-legend .i {{ display: inline-flex; align-items: center; margin-right: 10px; white-space: nowrap; }}
#abdash-legend .s {{ display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 4px; }}
#abdash-msg {{ display: none; position: absolute; inset: 0; z-index: 20; padding: 24px; background: #FFF7ED; color: #7C2D12; font-size: 14px; }}
</style></head><body>
<div id="abdash-wrap" role="img" aria-label="{title}">
<div id="abdash-info"></div>
<button id="abdash-reset" type="button" onclick="if (window.abdashReset) {{ window.abdashReset(); }}">Reset view</button>
{legend}
<div id="abdash-msg">The 3D viewer could not load 3Dmol.js from <code>{js_url}</code>. Run <code>{hint}</code> on the dashboard's host (or set ABDASH_3DMOL_URL), then reload.</div>
<div id="abdash-viewer" style="position:absolute; inset:0;">
{viewer}
</div>
</div>
<script>
setTimeout(function () {{ if (typeof $3Dmol === 'undefined') {{ document.getElementById('abdash-msg').style.display = 'block'; }} }}, 8000);
</script>
</body></html>
"""


def _legend_html(spec: ViewerSpec) -> str:
    if not spec.legend:
        return ""
    items = "".join(
        f'<span class="i"><span class="s" style="background:{html.escape(color)}"></span>{html.escape(text)}</span>'
        for color, text in spec.legend
    )
    title = f'<span class="t">{html.escape(spec.legend_title)}</span>' if spec.legend_title else ""
    return f'<div id="abdash-legend">{title}{items}</div>'


def _escape_script_body(fragment: str) -> str:
    """In py3Dmol's one <script>…</script> block, write every `<` as `\\u003c`.

    The block runs from py3Dmol's opening tag to its closing tag (the last one: the data may
    contain `</script>` itself). py3Dmol puts data only in JSON string literals (json.dumps), and
    its loader code and ours contain no `<`, so this changes string contents only, where `\\u003c`
    means `<`: the file's text cannot end the script or open a tag.
    """
    start = fragment.find("<script>")
    end = fragment.rfind("</script>")
    if start < 0 or end < start:
        raise ValueError("py3Dmol's output has no <script> block")
    body = fragment[start + len("<script>") : end]
    body = body.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return fragment[:start] + "<script>" + body + "</script>" + fragment[end + len("</script>") :]


@lru_cache(maxsize=32)
def build_viewer_html(spec: ViewerSpec, js_url: str) -> str:
    """The iframe document: a py3Dmol view of the spec, deterministic for a given (spec, js_url)."""
    style = spec.style if spec.style in STYLES else "cartoon"
    view = py3Dmol.view(width="100%", height="100%", js=js_url)
    view.addModel(spec.model_text, spec.model_format)
    payload = {
        "f": spec.model_format,
        "c": _nested(spec.colors),
        "d": spec.default_color,
        "s": style,
        "k": _nested(spec.sticks),
        "z": _nested(spec.focus),
        "hasFocus": bool(spec.focus),
        "r": spec.focus_radius,
        "cam": spec.camera_key,
        "zf": _digest(repr((spec.focus, spec.focus_radius))),  # the framing target the kept camera belongs to
    }
    view.startjs += _VIEWER_JS.replace("__PAYLOAD__", _safe_json(payload))
    fragment = view.startjs + view.endjs
    # py3Dmol names its elements after a timestamp; a hash of the content keeps the page deterministic
    uid = hashlib.blake2b(fragment.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    fragment = fragment.replace("UNIQUEID", uid)
    fragment = _escape_script_body(fragment)
    return _PAGE.format(
        height=spec.height,
        title=html.escape(spec.title),
        legend=_legend_html(spec),
        js_url=html.escape(js_url),
        hint=html.escape(FETCH_HINT),
        viewer=fragment,
    )


def threedmol_url(setting: str | None, base_url_path: str = "") -> str | None:
    """The URL of 3Dmol.js: the ABDASH_3DMOL_URL setting, else the local copy if present, else None."""
    if setting:
        return setting
    if LOCAL_3DMOL.is_file() and LOCAL_3DMOL.stat().st_size > 0:
        base = base_url_path.strip("/")
        return "/" + (base + "/" if base else "") + LOCAL_3DMOL_PATH
    return None


def render_viewer(spec: ViewerSpec, *, key: str) -> None:
    """Show the spec in an iframe, or say how to get 3Dmol.js when there is no copy."""
    import streamlit as st

    from components import services

    url = threedmol_url(services.settings().threedmol_url, st.get_option("server.baseUrlPath") or "")
    if url is None:
        st.warning(
            "The 3D viewer needs 3Dmol.js, which is not installed on this dashboard's host. "
            f"Run `{FETCH_HINT}` there (it fetches the pinned copy from the npm registry), "
            "or set ABDASH_3DMOL_URL, then reload.",
            icon=":material/view_in_ar:",
        )
        return
    with st.container(key=key):
        st.iframe(build_viewer_html(spec, url), height=spec.height + 4, alt=spec.title)
