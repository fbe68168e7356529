/**
 * The one embedded stylesheet: system fonts, readable measure, large touch targets, visible focus,
 * light and dark schemes. Allowed by the Content-Security-Policy through its hash.
 */
export const STYLESHEET = `
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--text:#1b1f24;--muted:#5b6470;--line:#d5d9e0;--accent:#1f4fd1;--accent-text:#fff;--danger:#b42318;--danger-text:#fff;--ok-bg:#e7f6ec;--ok-line:#2e7d4f;--err-bg:#fdecea;--warn-bg:#fff4d6;--warn-line:#a86b00;--focus:#ffbf47}
@media (prefers-color-scheme:dark){:root{--bg:#12151a;--card:#1b2028;--text:#e8eaed;--muted:#a3acb9;--line:#353c48;--accent:#7aa2ff;--accent-text:#0b1020;--danger:#ff8a80;--danger-text:#1a0b0a;--ok-bg:#173324;--ok-line:#5cc98a;--err-bg:#3a1d1b;--warn-bg:#3a2f12;--warn-line:#f0b429}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;overflow-wrap:break-word;background:var(--bg);color:var(--text);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
a{color:var(--accent)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-9999px;top:0;background:var(--card);padding:.5rem 1rem;z-index:10}
.skip:focus{left:.5rem;top:.5rem}
header.site{background:var(--card);border-bottom:1px solid var(--line)}
header.site .bar{max-width:44rem;margin:0 auto;padding:.6rem 1rem;display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem}
header.site .brand{font-weight:700;text-decoration:none;color:var(--text);margin-right:auto}
header.site nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;align-items:center;gap:.25rem 1rem}
header.site form{margin:0}
header.site .switcher{display:flex;align-items:center;gap:.4rem}
header.site .switcher select{width:auto;max-width:14rem;min-height:2.5rem;padding:.35rem .5rem}
main:focus{outline:none}
main{max-width:44rem;margin:0 auto;padding:1.25rem 1rem 3rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:0 0 .75rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1.1rem 1.1rem 1.25rem;margin:0 0 1.25rem}
.card>:first-child{margin-top:0}
.card>:last-child{margin-bottom:0}
.muted{color:var(--muted)}
.field{margin:0 0 1rem}
label{display:block;font-weight:600;margin:0 0 .3rem}
.hint{display:block;color:var(--muted);font-size:.9rem;margin:0 0 .35rem}
input[type=email],input[type=text],input[type=password]{width:100%;font:inherit;padding:.65rem .7rem;border:1px solid var(--line);border-radius:8px;background:var(--bg);color:var(--text);min-height:2.75rem}
input[aria-invalid=true]{border-color:var(--danger);border-width:2px}
.check{display:flex;align-items:center;gap:.5rem;font-weight:400}
.check input{width:1.2rem;height:1.2rem;margin:0}
.issue{color:var(--danger);font-size:.92rem;font-weight:600;margin:0 0 .35rem}
button,.button{font:inherit;font-weight:600;display:inline-block;text-decoration:none;text-align:center;cursor:pointer;border-radius:8px;padding:.6rem 1.1rem;min-height:2.75rem;border:1px solid var(--accent);background:var(--accent);color:var(--accent-text)}
button.secondary,.button.secondary{background:transparent;color:var(--accent)}
button.danger,.button.danger{background:var(--danger);border-color:var(--danger);color:var(--danger-text)}
button.link{background:none;border:none;color:var(--accent);padding:0;min-height:0;font-weight:400;text-decoration:underline}
.reveal{margin-top:.35rem;font-size:.9rem;padding:.25rem .6rem;min-height:2rem}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin-top:1rem}
.inline{display:inline}
.flash{border-radius:8px;padding:.75rem 1rem;margin:0 0 1.25rem;border:1px solid}
.flash.ok{background:var(--ok-bg);border-color:var(--ok-line)}
.flash.error{background:var(--err-bg);border-color:var(--danger)}
.flash.warn{background:var(--warn-bg);border-color:var(--warn-line)}
.flash p{margin:0}
.flash form{margin:.5rem 0 0}
ul.sessions{list-style:none;margin:0;padding:0}
ul.sessions li{border-top:1px solid var(--line);padding:.75rem 0;display:flex;flex-wrap:wrap;justify-content:space-between;gap:.5rem}
ul.sessions li:first-child{border-top:none}
.tag{display:inline-block;font-size:.8rem;font-weight:700;border:1px solid var(--ok-line);border-radius:999px;padding:0 .5rem;margin-left:.4rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0;overflow-wrap:anywhere}
article.mail pre{white-space:pre-wrap;overflow-wrap:anywhere;font:inherit;margin:.75rem 0 0;background:var(--bg);border-radius:8px;padding:.75rem}
.status{font-size:.85rem;font-weight:700;text-transform:uppercase;letter-spacing:.03em}
.qr{margin:0 0 1rem}
.qr svg{display:block;max-width:100%;height:auto}
code.key,ol.backup-codes code{font-size:1.05rem;letter-spacing:.04em}
code.key{word-spacing:.25em}
ol.backup-codes{columns:2 10rem;column-gap:2.5rem;margin:1rem 0;padding-left:2.25rem}
ol.backup-codes li{break-inside:avoid;padding:.1rem 0}
main:has(>.wide){max-width:64rem}
body:has(.wide) header.site .bar{max-width:64rem}
input[type=search],input[type=number],input[type=date],select,textarea{width:100%;font:inherit;padding:.6rem .7rem;border:1px solid var(--line);border-radius:8px;background:var(--bg);color:var(--text);min-height:2.75rem}
textarea{resize:vertical;display:block}
select[aria-invalid=true],textarea[aria-invalid=true]{border-color:var(--danger);border-width:2px}
h3{font-size:1.05rem;margin:1.25rem 0 .5rem}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
nav.subnav ul{list-style:none;margin:0 0 1.25rem;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem}
nav.subnav a[aria-current=page]{font-weight:700;color:var(--text);text-decoration:none}
.row{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:0 1rem}
.inline-form{display:flex;flex-wrap:wrap;align-items:flex-end;gap:0 .75rem;margin:0 0 .5rem}
.inline-form .field{flex:1 1 14rem}
.inline-form>button{margin-bottom:1rem}
.inline-form>.flash{flex-basis:100%}
table.list{width:100%;border-collapse:separate;border-spacing:0;background:var(--card);border:1px solid var(--line);border-radius:10px;margin:0 0 1.25rem;font-size:.95rem}
table.list th,table.list td{text-align:left;vertical-align:top;padding:.6rem .75rem;border-top:1px solid var(--line)}
table.list a,table.list .ip{overflow-wrap:anywhere}
table.list thead th{border-top:none;font-size:.85rem;color:var(--muted)}
table.list time{white-space:nowrap}
.kv{display:block;font-size:.85rem;overflow-wrap:anywhere}
.pager{display:flex;flex-wrap:wrap;gap:.75rem 1.25rem;align-items:center;justify-content:flex-end;margin:0 0 1.25rem}
ol.events{margin:0 0 1rem;padding-left:1.25rem}
ol.events li{padding:.2rem 0}
ul.notes{list-style:none;margin:1rem 0 0;padding:0}
ul.notes li{border-top:1px solid var(--line);padding:.75rem 0}
.note-body{white-space:pre-wrap;margin:0 0 .25rem}
details>summary{cursor:pointer;color:var(--accent);padding:.35rem 0}
details[open]>summary{margin-bottom:.5rem}
@media (max-width:40rem){table.list thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}table.list,table.list tbody,table.list tr,table.list td{display:block}table.list tr{border-top:1px solid var(--line);padding:.6rem .75rem}table.list tbody tr:first-child{border-top:none}table.list td{border:none;padding:.1rem 0}table.list td[data-label]::before{content:attr(data-label) ": ";font-weight:600}}
@media (max-width:30rem){h1{font-size:1.35rem}.card{padding:.9rem}dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.4rem}.actions button,.actions .button{width:100%}}
`
