#!/bin/bash
# t_monitoring_cores.sh - the integrations in etc/ against the real monitoring
# daemons from Debian packages, every one private (own config, state, log,
# run and cache directories under $TEST_TMP), on 127.0.0.1, in the
# foreground, stopped in the EXIT trap:
#
#  Icinga 2 (icinga2-bin, icinga2-common)
#    `icinga2 daemon -C` accepts etc/icinga2/ad-delegation-commands.conf with
#    the example services and test hosts, and rejects two broken copies (a
#    syntax error, a service naming a command that does not exist); the
#    apply rules make the expected services; every long option of each built
#    plugin's --help has its argument.  A foreground daemon (checker,
#    PerfdataWriter, GraphiteWriter, external command pipe) then runs the
#    example's services for two hosts (custom variables, and a config file),
#    forced with SCHEDULE_FORCED_SVC_CHECK, against a private slapd with a
#    0x808 trust, and services with every variable set whose argv is
#    recorded (a wrapper in PluginDir).  Asserted: the states (unconstrained
#    WARNING, trust CRITICAL), the PerfdataWriter lines, the perfdata as
#    Icinga 2's own parser read it (GraphiteWriter metrics in the debug log,
#    thresholds included), no perfdata warning in the log (while a probe's
#    bad perfdata is reported: the check can fail), the exact argv (set_if
#    flags, repeat_key arrays, null/"" dropping a host setting, no
#    password), nothing written outside $TEST_TMP, a clean stop, no process
#    left.
#  Nagios 4 (nagios4-core)
#    `nagios4 -v` accepts etc/nagios/*.cfg* (with minimal templates, and with
#    the stock ones of /etc/nagios4/objects, only read) and rejects broken
#    copies; every option in the command lines exists in the plugin's
#    --help; a foreground nagios4 (interval_length=1, no inter-check delay)
#    runs the host-variable and config-file commands; status.dat and the
#    perfdata file give the states and perfdata; no password in any argv.
#  Zabbix (zabbix-agent, python3-yaml)
#    The template YAML's structure (6.0 format, UUIDs, master/dependent items,
#    JSONPath steps, value map, trigger expressions, macros); a foreground
#    zabbix_agentd with etc/zabbix/userparameter_ad_delegation.conf (paths
#    replaced), asked over the passive-check protocol (what zabbix_get does;
#    Debian 12 ships no zabbix_get); the template's JSONPath expressions
#    applied to its answers give the values the dependent items would get,
#    for OK data, an unreachable server and a config section that does not
#    exist (UNKNOWN: still one JSON object); shell characters in the key
#    parameter are refused.  Without zabbix_agentd the UserParameter
#    commands run through sh as the agent would run them.
#
# A part whose daemon is not installed is skipped with the reason.  A plugin
# that is not built fails (every case that needed it); a recording stub
# stands in for a missing check_ad_ticket_events, so its command
# definitions are still exercised.
set -u
source "$TOP_SRCDIR/tests/lib/tap.sh"
source "$TOP_SRCDIR/tests/lib/slapd.sh"

ETC=$TOP_SRCDIR/etc
T_START=$SECONDS
ME_USER=$(id -un) ME_GROUP=$(id -gn)
ICINGA2=${ICINGA2_BIN:-$(command -v icinga2 2>/dev/null || echo /usr/sbin/icinga2)}
NAGIOS4=${NAGIOS4_BIN:-$(command -v nagios4 2>/dev/null || echo /usr/sbin/nagios4)}
ZBX_AGENTD=${ZABBIX_AGENTD_BIN:-$(command -v zabbix_agentd 2>/dev/null || echo /usr/sbin/zabbix_agentd)}
EVJSON=$TOP_SRCDIR/tests/data/events/json/otrf_winlogbeat6_kerberos.jsonl

DAEMONS=()   # "PID NAME" of every daemon started here
stop_pid() {  # stop_pid PID: TERM, then KILL after 3 s; 0 if it ended on TERM
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	for ((i = 0; i < 60; i++)); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 1
}
forget_pid() {
	local e keep=()
	for e in "${DAEMONS[@]}"; do [ "${e%% *}" = "$1" ] || keep+=("$e"); done
	DAEMONS=("${keep[@]}")
}
cleanup() {
	local e
	for e in "${DAEMONS[@]}"; do stop_pid "${e%% *}"; done
	DAEMONS=()
	slapd_stop_all
}
trap cleanup EXIT

free_port() {  # a port in 20000-32767 nobody listens on now
	local p i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		p=$((20000 + RANDOM % 12768))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
	done
	return 1
}
istr() {   # istr TEXT: TEXT as an Icinga 2 / libconfig string literal
	local s=${1//\\/\\\\}
	printf '"%s"' "${s//\"/\\\"}"
}
have_py=0; command -v python3 >/dev/null 2>&1 && have_py=1
have_yaml=0; [ "$have_py" = 1 ] && python3 -c 'import yaml' 2>/dev/null && have_yaml=1

# --- helpers in Python ----------------------------------------------------------
PY=$TEST_TMP/mc_helpers.py
cat >"$PY" <<'PYEOF'
import json, os, re, socket, struct, sys, glob

def argv_files(d):
    """Every argv recorded by the wrappers: (plugin, [args])."""
    out = []
    for f in sorted(glob.glob(os.path.join(d, "*"))):
        if f.endswith(".tmp"):
            continue
        with open(f, "rb") as fh:
            raw = fh.read()
        args = [a.decode("utf-8", "replace") for a in raw.split(b"\0")[:-1]]
        out.append((os.path.basename(f).split(".")[0], args))
    return out

def cmd_argv(d, plugin, needle):
    """The newest argv of PLUGIN that contains the argument NEEDLE, one per line."""
    hits = [a for p, a in argv_files(d) if p == plugin and needle in a]
    if not hits:
        return 1
    for a in hits[-1]:
        print(a)
    return 0

def cmd_argv_pairs(flags, *lines):
    """Read args on stdin (one per line); print 'opt value' or 'opt', sorted."""
    flags = set(flags.split(","))
    args = sys.stdin.read().split("\n")
    if args and args[-1] == "":
        args.pop()
    out, i = [], 0
    while i < len(args):
        a = args[i]
        if a in flags or i + 1 >= len(args):
            out.append(a); i += 1
        else:
            out.append(a + " " + args[i + 1]); i += 2
    for x in sorted(out):
        print(x)
    return 0

def cmd_argv_all(d):
    for p, a in argv_files(d):
        print(p + "\t" + "\t".join(a))
    return 0

def cmd_i2perf(d):
    """Icinga 2 PerfdataWriter files: the last record per service as
    host!service TAB state TAB perfdata."""
    last = {}
    files = sorted(glob.glob(os.path.join(d, "spool", "perfdata", "service-perfdata*")))
    files += [os.path.join(d, "tmp", "service-perfdata")]
    for f in files:
        try:
            lines = open(f, encoding="utf-8", errors="replace").read().split("\n")
        except OSError:
            continue
        for line in lines:
            if not line.startswith("DATATYPE::SERVICEPERFDATA"):
                continue
            kv = dict(x.split("::", 1) for x in line.split("\t") if "::" in x)
            key = kv.get("HOSTNAME", "") + "!" + kv.get("SERVICEDESC", "")
            last[key] = (kv.get("SERVICESTATE", ""), kv.get("SERVICEPERFDATA", ""))
    for k in sorted(last):
        print("%s\t%s\t%s" % (k, last[k][0], last[k][1]))
    return 0

def cmd_ngstatus(f):
    """Nagios status.dat: service TAB checked TAB state TAB output TAB perfdata."""
    try:
        text = open(f, encoding="utf-8", errors="replace").read()
    except OSError:
        return 1
    for m in re.finditer(r"servicestatus \{\n(.*?)\n\s*\}", text, re.S):
        kv = {}
        for line in m.group(1).split("\n"):
            line = line.strip()
            if "=" in line:
                k, v = line.split("=", 1)
                kv[k] = v
        print("\t".join([kv.get("service_description", ""), kv.get("has_been_checked", ""),
                         kv.get("current_state", ""), kv.get("plugin_output", ""),
                         kv.get("performance_data", "")]))
    return 0

def cmd_zget(host, port, key):
    """Zabbix passive check (what zabbix_get does): the value, or exit 2
    and ZBX_NOTSUPPORTED's reason."""
    s = socket.create_connection((host, int(port)), timeout=40)
    k = key.encode()
    s.sendall(b"ZBXD\x01" + struct.pack("<Q", len(k)) + k)
    buf = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        buf += d
    if buf[:4] != b"ZBXD":
        print("bad answer: %r" % buf[:40]); return 3
    n = struct.unpack("<Q", buf[5:13])[0]
    data = buf[13:13 + n]
    if data.startswith(b"ZBX_NOTSUPPORTED"):
        print(data.split(b"\0", 1)[-1].decode("utf-8", "replace")); return 2
    sys.stdout.write(data.decode("utf-8")); return 0

def cmd_sink(portfile, outfile, secs):
    """A Graphite listener: stores what it gets, exits after SECS or on TERM."""
    import selectors, signal
    signal.signal(signal.SIGALRM, lambda *a: os._exit(0))
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    signal.alarm(int(secs))
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0)); s.listen(16)
    with open(portfile + ".tmp", "w") as fh:
        fh.write("%d\n" % s.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    sel = selectors.DefaultSelector(); sel.register(s, selectors.EVENT_READ)
    out = open(outfile, "ab", buffering=0)
    while True:
        for key, _ in sel.select():
            if key.fileobj is s:
                c, _ = s.accept(); sel.register(c, selectors.EVENT_READ)
            else:
                d = key.fileobj.recv(65536)
                if d:
                    out.write(d)
                else:
                    sel.unregister(key.fileobj); key.fileobj.close()

def cmd_helpopts(f):
    """Long options of a plugin's --help text (stdin)."""
    for line in open(f, encoding="utf-8"):
        m = re.match(r"^ (?:-\w, )?--([a-z][a-z0-9-]*)", line)
        if m:
            print(m.group(1))
    return 0

def cmd_i2args(f):
    """Argument keys of one CheckCommand in `icinga2 object list` output."""
    inargs = False
    for line in open(f, encoding="utf-8", errors="replace"):
        if re.match(r"^  \* arguments\s*$", line):
            inargs = True; continue
        if inargs:
            m = re.match(r"^    \* (\S+)\s*$", line)
            if m:
                print(m.group(1).lstrip("-")); continue
            if re.match(r"^  \* ", line):
                inargs = False
    return 0

# ---- Zabbix template ----
SIMPLE_PATH = re.compile(r"^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$")

def jsonpath(doc, path):
    """Evaluates a simple JSONPath $.a.b.c; raises KeyError like Zabbix fails."""
    if not SIMPLE_PATH.match(path):
        raise ValueError("not a simple path: " + path)
    cur = doc
    for part in path[2:].split("."):
        if not isinstance(cur, dict) or part not in cur or cur[part] is None:
            raise KeyError(part)
        cur = cur[part]
    return cur

def load_template(yf):
    import yaml
    with open(yf, encoding="utf-8") as fh:
        return yaml.safe_load(fh)

def cmd_tmplcheck(yf, upfile):
    """Structure of the template; prints 'ok|desc' or 'fail|desc|why' lines."""
    res = []
    def check(desc, cond, why=""):
        res.append(("ok|" + desc) if cond else ("fail|" + desc + "|" + why))
    try:
        d = load_template(yf)
    except Exception as e:  # noqa
        print("fail|template YAML parses|%s" % e); return 0
    ex = d.get("zabbix_export", {}) if isinstance(d, dict) else {}
    check("zabbix_export version is '6.0' (a string)", ex.get("version") == "6.0", repr(ex.get("version")))
    uuids = []
    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k == "uuid":
                    uuids.append(v)
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(ex)
    bad = [u for u in uuids if not re.match(r"^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$", str(u))]
    check("every uuid is a 32-digit UUIDv4 (%d uuids)" % len(uuids), uuids and not bad, "bad: %s" % bad)
    check("uuids are unique", len(set(uuids)) == len(uuids), "duplicates")
    groups = {g.get("name") for g in ex.get("groups", [])}
    up_keys = set()
    for line in open(upfile, encoding="utf-8"):
        m = re.match(r"^UserParameter=([^\[,]+)(\[\*\])?,", line)
        if m:
            up_keys.add(m.group(1))
    tmpls = ex.get("templates", [])
    check("templates present (%d)" % len(tmpls), len(tmpls) >= 1)
    prios = {"NOT_CLASSIFIED", "INFO", "WARNING", "AVERAGE", "HIGH", "DISASTER"}
    vtypes = {None, "FLOAT", "CHAR", "LOG", "UNSIGNED", "TEXT"}
    for t in tmpls:
        tn = t.get("template", "?")
        check("%s: template name = visible name" % tn, t.get("name") == tn)
        check("%s: its groups are exported" % tn,
              all(g.get("name") in groups for g in t.get("groups", [])) and t.get("groups"))
        items = t.get("items", [])
        keys = {i.get("key") for i in items}
        vmaps = {v.get("name"): v for v in t.get("valuemaps", [])}
        macros = {m.get("macro") for m in t.get("macros", [])}
        used_macros = set(re.findall(r"\{\$[A-Z0-9_.]+\}", json.dumps(t)))
        check("%s: every user macro used is defined" % tn, used_macros <= macros,
              "undefined: %s" % sorted(used_macros - macros))
        check("%s: item keys unique" % tn, len(keys) == len(items))
        masters = [i for i in items if i.get("type", "ZABBIX_PASSIVE") != "DEPENDENT"]
        deps = [i for i in items if i.get("type") == "DEPENDENT"]
        check("%s: %d master items, %d dependent items" % (tn, len(masters), len(deps)), masters and deps)
        for m in masters:
            base = m.get("key", "").split("[", 1)[0]
            check("%s: master %s is a UserParameter of %s" % (tn, m.get("key"), os.path.basename(upfile)),
                  base in up_keys, "UserParameter keys: %s" % sorted(up_keys))
            check("%s: master %s is TEXT, agent item" % (tn, m.get("key")),
                  m.get("value_type") == "TEXT" and m.get("type", "ZABBIX_PASSIVE") == "ZABBIX_PASSIVE")
        for i in items:
            if i.get("value_type") not in vtypes:
                check("%s: %s value_type" % (tn, i.get("key")), False, i.get("value_type"))
        dep_ok, why = True, []
        for i in deps:
            mk = (i.get("master_item") or {}).get("key")
            pp = i.get("preprocessing") or []
            if mk not in keys or mk == i.get("key"):
                dep_ok = False; why.append("%s: master %s missing" % (i.get("key"), mk))
            if not pp or pp[0].get("type") != "JSONPATH" or len(pp[0].get("parameters", [])) != 1 \
                    or not SIMPLE_PATH.match(pp[0]["parameters"][0]):
                dep_ok = False; why.append("%s: first step not a simple JSONPATH" % i.get("key"))
                continue
            path = pp[0]["parameters"][0]
            if path.startswith("$.perfdata.") and pp[0].get("error_handler") != "DISCARD_VALUE":
                dep_ok = False; why.append("%s: perfdata without DISCARD_VALUE (UNKNOWN has no perfdata)" % i.get("key"))
            if path in ("$.state",):
                vm = (i.get("valuemap") or {}).get("name")
                if vm not in vmaps:
                    dep_ok = False; why.append("%s: value map %s not in template" % (i.get("key"), vm))
                elif {(x.get("value"), x.get("newvalue")) for x in vmaps[vm].get("mappings", [])} != \
                        {("0", "OK"), ("1", "WARNING"), ("2", "CRITICAL"), ("3", "UNKNOWN")}:
                    dep_ok = False; why.append("value map %s is not 0 OK .. 3 UNKNOWN" % vm)
            if i.get("delay") not in ("0", None):
                dep_ok = False; why.append("%s: dependent item with delay" % i.get("key"))
        check("%s: dependent items: master exists, JSONPATH step, error handling, value map" % tn, dep_ok, "; ".join(why))
        trig_ok, why, states = True, [], set()
        for i in items:
            for tr in i.get("triggers", []) or []:
                expr = tr.get("expression", "")
                refs = re.findall(r"/([^/]+)/([^,)]+)", expr)
                if not refs:
                    trig_ok = False; why.append("no item in %s" % expr)
                for host, key in refs:
                    if host != tn or key not in keys:
                        trig_ok = False; why.append("%s refers to %s/%s" % (tr.get("name"), host, key))
                if i.get("key") not in [k for _, k in refs]:
                    trig_ok = False; why.append("%s is not about its own item" % tr.get("name"))
                if tr.get("priority") not in prios:
                    trig_ok = False; why.append("%s priority %s" % (tr.get("name"), tr.get("priority")))
                m = re.match(r"^last\(/[^/]+/[^)]+\.state\)=(\d)", expr)
                if m:
                    states.add(int(m.group(1)))
        check("%s: triggers refer to this template's items, valid priorities" % tn, trig_ok, "; ".join(why))
        check("%s: triggers on state 1, 2 and 3 (per check)" % tn, {1, 2, 3} <= states, "states: %s" % sorted(states))
    for r in res:
        print(r)
    return 0

def cmd_tmplapply(yf, master_base, jsonfile):
    """The template's dependent items of the master whose key starts with
    MASTER_BASE, applied to the agent's answer: 'key TAB ok TAB value' or
    'key TAB discard|error TAB why'."""
    d = load_template(yf)
    with open(jsonfile, encoding="utf-8") as fh:
        doc = json.load(fh)
    for t in d["zabbix_export"]["templates"]:
        for i in t.get("items", []):
            if i.get("type") != "DEPENDENT":
                continue
            mk = i["master_item"]["key"]
            if mk.split("[", 1)[0] != master_base:
                continue
            step = i["preprocessing"][0]
            try:
                v = jsonpath(doc, step["parameters"][0])
                print("%s\tok\t%s" % (i["key"], v))
            except (KeyError, ValueError) as e:
                h = "discard" if step.get("error_handler") == "DISCARD_VALUE" else "error"
                print("%s\t%s\t%s" % (i["key"], h, e))
    return 0

if __name__ == "__main__":
    cmd = sys.argv[1]
    sys.exit(globals()["cmd_" + cmd.replace("-", "_")](*sys.argv[2:]))
PYEOF

py() { python3 "$PY" "$@"; }
leftovers() {   # leftovers DESC PATTERN: no process runs with PATTERN in its arguments
	local i l
	for ((i = 0; i < 30; i++)); do
		l=$(pgrep -a -f -- "$2" 2>/dev/null | grep -v pgrep)
		[ -z "$l" ] && { ok "$1"; return; }
		sleep 0.1
	done
	not_ok "$1" "$l"
}
# system_daemons COMM: the live COMM processes (one "PID ARGS" line each)
# that may be the packaged daemon, writing under /etc, /var or /run: those
# with an argument (or an option's "=value") under /etc, /var or /run, or
# with no absolute path argument at all (the packaged default config).  Not
# counted: this script's own processes and other private instances (every
# path under their own temp dir), and zombies (dead; e.g. nagios4 workers
# reparented to a PID 1 that reaps late), which `pgrep -x` alone would see.
system_daemons() {
	local pid st a paths packaged args
	for pid in $(pgrep -x -- "$1" 2>/dev/null); do
		st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null)
		[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ] || continue
		args=()
		mapfile -d '' -t args <"/proc/$pid/cmdline" 2>/dev/null
		[ "${#args[@]}" -gt 0 ] || continue
		paths=0 packaged=0
		for a in "${args[@]:1}"; do
			case $a in /*) ;; *=/*) a=/${a#*=/};; *) continue;; esac
			paths=$((paths + 1))
			case $a in "$TEST_TMP"/*|/var/tmp/*) ;; /etc/*|/var/*|/run/*) packaged=1;; esac
		done
		[ "$paths" -gt 0 ] && [ "$packaged" = 0 ] && continue
		printf '%s %s\n' "$pid" "${args[*]}"
	done
}
diag_file() {  # diag_file FILE [LINES]: its last lines as TAP diagnostics
	[ -f "$1" ] && tap_diag "--- last lines of $1" "$(tail -n "${2:-25}" "$1")"
}

# --- the fixture: a private slapd with the AD look-alike and a 0x808 trust -----
# RUNTIME=0: the daemons cannot run the plugins; RUNTIME_FAIL=1 when that
# is because a plugin is not built (a failure, not a skip: runtime_off)
RUNTIME=1 RUNTIME_WHY="" RUNTIME_FAIL=0
if [ "$have_py" != 1 ]; then RUNTIME=0 RUNTIME_WHY="python3 not installed"
elif ! slapd_available; then RUNTIME=0 RUNTIME_WHY="slapd not installed"
elif [ ! -x "$PLUGINDIR/check_ad_unconstrained" ] || [ ! -x "$PLUGINDIR/check_ad_trust_delegation" ]; then
	RUNTIME=0 RUNTIME_FAIL=1 RUNTIME_WHY="plugins not built in $PLUGINDIR"
else
	"$SLAPD_GEN" >"$TEST_TMP/corp.ldif"
	# inbound + outbound, FOREST_TRANSITIVE|ENABLE_TGT_DELEGATION: TGTs may cross
	printf '%s\n' 'dn: CN=partner.example,CN=System,DC=corp,DC=example' 'objectClass: top' \
		'objectClass: trustedDomain' 'cn: partner.example' 'trustPartner: partner.example' \
		'flatName: PARTNER' 'trustDirection: 3' 'trustType: 2' 'trustAttributes: 2056' '' >"$TEST_TMP/trust.ldif"
	if ! slapd_start corp "$TEST_TMP/corp.ldif" "$TEST_TMP/trust.ldif" --tls; then
		RUNTIME=0 RUNTIME_WHY="the slapd fixture did not start"
		not_ok "slapd fixture starts"
	fi
fi
if [ "$RUNTIME" = 1 ]; then
	C=(-H "$SLAPD_CORP_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_CORP_BIND_DN" --password-file "$SLAPD_PWFILE")
	expect_check "fixture: check_ad_unconstrained alone gives WARNING, 8 accounts" WARNING \
		"^AD UNCONSTRAINED WARNING - 8 non-DC accounts" -- "$PLUGINDIR/check_ad_unconstrained" "${C[@]}"
	expect_check "fixture: check_ad_trust_delegation alone gives CRITICAL for the 0x808 trust" CRITICAL \
		"^AD TRUST DELEGATION CRITICAL - 1 trust allows TGT delegation .*partner.example" -- "$PLUGINDIR/check_ad_trust_delegation" "${C[@]}"
	# the plugins' config file, as the cores use it (--config / --section)
	ADCONF=$TEST_TMP/ad-delegation.conf
	cat >"$ADCONF" <<CONF
defaults = {
  hostname = $(istr "$SLAPD_CORP_URI"); starttls = true; ca_file = $(istr "$SLAPD_CA");
  bind_dn = $(istr "$SLAPD_CORP_BIND_DN"); password_file = $(istr "$SLAPD_PWFILE");
  timeout = "8";
};
check_ad_unconstrained = { };
check_ad_trust_delegation = { };
check_ad_ticket_events = {
  jsonl = [ $(istr "$EVJSON") ]; realm = [ "SHIRE.COM", "SHIRE" ];
  now = "2019-06-01T00:00:00Z"; since = "365d";
};
servers = { base = "OU=Servers,DC=corp,DC=example"; };
unreachable = { hostname = "ldap://127.0.0.1:$(free_port || echo 1)"; timeout = "3"; };
CONF
fi
PASSWORD=$SLAPD_MONITOR_PASSWORD

# check_ad_ticket_events: the real one when built, else a stub
EVENTS_REAL=0
[ -x "$PLUGINDIR/check_ad_ticket_events" ] && EVENTS_REAL=1
runtime_off() {   # runtime_off DESC: the case DESC cannot run (RUNTIME=0)
	if [ "$RUNTIME_FAIL" = 1 ]; then not_ok "$1" "$RUNTIME_WHY"; else skip "$1" "$RUNTIME_WHY"; fi
}
events_missing() {   # events_missing DESC: the case DESC needed check_ad_ticket_events
	not_ok "$1" "check_ad_ticket_events is not built ($PLUGINDIR/check_ad_ticket_events missing)"
}

# PluginDir of the cores: wrappers that record their argv, then run the plugin
# (argv-only services: --section argv-only, the plugin is not run)
WRAP=$TEST_TMP/plugins ARGV=$TEST_TMP/argv
rm -rf "$WRAP" "$ARGV" "$ARGV.done"
mkdir -p "$WRAP" "$ARGV"
for p in check_ad_unconstrained check_ad_trust_delegation check_ad_ticket_events; do
	cat >"$WRAP/$p" <<EOF
#!/bin/sh
# records the arguments (NUL separated) for t_monitoring_cores.sh, then runs $p
f="$ARGV/$p.\$\$.\$(date +%s%N)"
printf '%s\\0' "\$@" >"\$f.tmp" && mv "\$f.tmp" "\$f"
# argv-only: not run; the perfdata is a probe that Icinga 2 must complain about
case " \$* " in *" --section argv-only "*) echo "ARGV RECORDED OK - plugin not run | probe=1;~:3;@4;0; junk=abc"; exit 0;; esac
if [ ! -x "$PLUGINDIR/$p" ]; then echo "AD STUB UNKNOWN - $p is not built (argument recording stub)"; exit 3; fi
exec "$PLUGINDIR/$p" "\$@"
EOF
	chmod 755 "$WRAP/$p"
done

# Options whose Icinga 2 argument is a flag (set_if)
FLAGS="--ssl,--starttls,--insecure,--allow-plaintext,--verbose,--exclude-disabled,--legacy,--scan-partners,--scan-all,--realms-from-ldap"
# expect_argv DESC PLUGIN NEEDLE EXPECTED(lines 'opt value' or 'opt'): the
# newest recorded argv of PLUGIN containing NEEDLE has exactly these options
expect_argv() {
	local desc=$1 plugin=$2 needle=$3 want=$4 got
	if ! got=$(py argv "$ARGV" "$plugin" "$needle"); then
		not_ok "$desc" "no argv of $plugin with '$needle' was recorded" "$(py argv-all "$ARGV" | head -20)"
		return
	fi
	got=$(printf '%s\n' "$got" | py argv-pairs "$FLAGS")
	want=$(printf '%s\n' "$want" | sort)
	if [ "$got" = "$want" ]; then ok "$desc"
	else not_ok "$desc" "differences (< got, > wanted):" "$(diff <(printf '%s\n' "$got") <(printf '%s\n' "$want") | grep '^[<>]')"; fi
}
argv_reset() {   # argv_reset PART: file away the argv recorded so far
	mkdir -p "$ARGV.done/$1"
	find "$ARGV" -maxdepth 1 -type f -exec mv -t "$ARGV.done/$1" {} +
}
no_password_in_argv() {   # no_password_in_argv DESC: no recorded argv holds the password
	local hits
	hits=$(py argv-all "$ARGV" | grep -F -- "$PASSWORD")
	if [ -z "$hits" ] && [ -n "$(ls "$ARGV")" ]; then ok "$1"
	else not_ok "$1" "argv with the password or none recorded:" "$hits"; fi
}
help_opts() {   # help_opts PLUGIN: its long options, less help/version/format
	"$PLUGINDIR/$1" --help >"$TEST_TMP/help.$1" 2>&1
	py helpopts "$TEST_TMP/help.$1" | grep -vxE 'help|version|format' | sort -u
}
# newer_outside MARKER DIR...: files under DIRs newer than MARKER
newer_outside() {
	local m=$1; shift
	local d
	for d in "$@"; do [ -e "$d" ] && find "$d" -newer "$m" 2>/dev/null; done
}

########################################################################
# Icinga 2
########################################################################
icinga2_part() {
	if [ ! -x "$ICINGA2" ]; then
		skip "Icinga 2: validation, daemon run" "icinga2 not installed (Debian packages icinga2-bin icinga2-common)"
		return
	fi
	local I2=$TEST_TMP/icinga2
	rm -rf "$I2"
	mkdir -p "$I2"/{etc,cache,lib/ad-delegation,log,run,spool/perfdata,tmp,broken}
	local D=(-DConfiguration.ConfigDir="$I2/etc" -DConfiguration.CacheDir="$I2/cache"
		-DConfiguration.DataDir="$I2/lib" -DConfiguration.LogDir="$I2/log"
		-DConfiguration.InitRunDir="$I2/run" -DConfiguration.SpoolDir="$I2/spool"
		-DConfiguration.ZonesDir="$I2/etc/zones.d"
		-DConfiguration.RunAsUser="$ME_USER" -DConfiguration.RunAsGroup="$ME_GROUP")
	local marker=$I2/marker   # a second back: -newer may compare whole seconds
	touch -d "@$(($(date +%s) - 1))" "$marker"

	# Graphite: a listener so that the writer connects; the metrics are read
	# from Icinga's debug log (the writer logs each one it made from perfdata)
	local gport=2003
	if [ "$RUNTIME" = 1 ]; then
		python3 "$PY" sink "$I2/graphite.port" "$I2/graphite.out" 60 </dev/null >/dev/null 2>&1 &
		DAEMONS+=("$! graphite-sink")
		local i
		for ((i = 0; i < 100; i++)); do [ -s "$I2/graphite.port" ] && break; sleep 0.05; done
		gport=$(cat "$I2/graphite.port" 2>/dev/null || echo 2003)
	fi

	# test hosts: connection in custom variables, and in the config file
	{
		if [ "$RUNTIME" = 1 ]; then
			cat <<EOF
object Host "corp.test" {
	import "ad-domain"
	check_command = "dummy"
	vars.ad_hostname = $(istr "$SLAPD_CORP_URI")
	vars.ad_starttls = true
	vars.ad_ca_file = $(istr "$SLAPD_CA")
	vars.ad_bind_dn = $(istr "$SLAPD_CORP_BIND_DN")
	vars.ad_password_file = $(istr "$SLAPD_PWFILE")
	vars.ad_jsonl = [ $(istr "$EVJSON") ]
	vars.ad_realm = [ "SHIRE.COM", "SHIRE" ]
}
object Host "corp-cfg.test" {
	import "ad-domain"
	check_command = "dummy"
	vars.ad_config = $(istr "$ADCONF")
}
EOF
		else
			printf 'object Host "corp.test" { import "ad-domain"; check_command = "dummy"; vars.ad_hostname = "ldap://127.0.0.1:1"; vars.ad_jsonl = [ "/nonexistent" ] }\n'
		fi
		# every variable set: the argv is recorded, the plugin not run
		cat <<'EOF'
template Service "argv-only" {
	host_name = "corp.test"
	check_interval = 1s
	retry_interval = 1s
	vars.ad_hostname = "ldaps://argv.example"
	vars.ad_port = 1636
	vars.ad_ssl = true
	vars.ad_starttls = true
	vars.ad_ca_file = "/argv/ca.pem"
	vars.ad_insecure = true
	vars.ad_allow_plaintext = true
	vars.ad_bind_dn = "CN=svc monitor,OU=Service Accounts,DC=argv,DC=example"
	vars.ad_password_file = "/argv/password"
	vars.ad_sasl_mech = "GSSAPI"
	vars.ad_keytab = "/argv/monitor.keytab"
	vars.ad_base = "DC=argv,DC=example"
	vars.ad_timeout = "7:CRITICAL"
	vars.ad_warning = "~:3"
	vars.ad_critical = "@5:9"
	vars.ad_config = "/argv/ad.conf"
	vars.ad_section = "argv-only"
	vars.ad_verbose = true
}
object Service "argv-unconstrained" {
	import "argv-only"
	check_command = "ad-unconstrained"
	vars.ad_exclude_disabled = true
	vars.ad_warning_protocol_transition = "1"
	vars.ad_critical_protocol_transition = "2"
	vars.ad_warning_rbcd = "3"
	vars.ad_critical_rbcd = "4"
	vars.ad_state_file = "/argv/unconstrained.state"
	vars.ad_new_is = "CRITICAL"
}
object Service "argv-trust" {
	import "argv-only"
	check_command = "ad-trust-delegation"
	vars.ad_legacy = true
	vars.ad_scan_partners = true
	vars.ad_scan_all = true
	vars.ad_state_file = "/argv/trusts.state"
	vars.ad_new_is = "UNKNOWN"
}
object Service "argv-events" {
	import "argv-only"
	check_command = "ad-ticket-events"
	vars.ad_evtx = [ "/argv/dc1.evtx", "/argv/dc2.evtx" ]
	vars.ad_jsonl = [ "/argv/dc1.jsonl.gz", "-" ]
	vars.ad_since = "2h"
	vars.ad_now = "2026-01-02T03:04:05Z"
	vars.ad_event_tz = "+02:00"
	vars.ad_realm = [ "PARTNER.EXAMPLE", "PARTNER" ]
	vars.ad_realms_from_ldap = true
	vars.ad_local_domain = [ "corp.example", "CORP" ]
	vars.ad_warning_forwarded = "5"
	vars.ad_critical_forwarded = "6"
	vars.ad_state_file = "/argv/events.state"
}
/* the host's settings dropped with null or "", flags false: only
 * --hostname and --section remain */
object Service "argv-flags-off" {
	host_name = "corp.test"
	check_command = "ad-unconstrained"
	check_interval = 1s
	retry_interval = 1s
	vars.ad_hostname = "ldap://flags-off.example"
	vars.ad_section = "argv-only"
	vars.ad_starttls = false
	vars.ad_bind_dn = null
	vars.ad_password_file = ""
	vars.ad_ca_file = null
	vars.ad_base = ""
	vars.ad_verbose = false
	vars.ad_exclude_disabled = false
}
EOF
		if [ "$RUNTIME" = 1 ] && [ "$EVENTS_REAL" = 1 ]; then
			cat <<'EOF'
/* the Winlogbeat sample, its own domain as the trusted realm, a fixed window */
object Service "events-window" {
	host_name = "corp.test"
	check_command = "ad-ticket-events"
	check_interval = 1s
	retry_interval = 1s
	vars.ad_now = "2019-06-01T00:00:00Z"
	vars.ad_since = "365d"
}
EOF
		fi
	} >"$I2/etc/test-objects.conf"

	cat >"$I2/etc/features.conf" <<EOF
object FileLogger "debug-file" {
	path = $(istr "$I2/log/icinga2.log")
	severity = "debug"
}
object CheckerComponent "checker" { }
object PerfdataWriter "perfdata" {
	host_perfdata_path = $(istr "$I2/spool/perfdata/host-perfdata")
	service_perfdata_path = $(istr "$I2/spool/perfdata/service-perfdata")
	host_temp_path = $(istr "$I2/tmp/host-perfdata")
	service_temp_path = $(istr "$I2/tmp/service-perfdata")
	rotation_interval = 1s
}
object GraphiteWriter "graphite" {
	host = "127.0.0.1"
	port = $gport
	enable_send_thresholds = true
}
object ExternalCommandListener "command" {
	command_path = $(istr "$I2/run/icinga2.cmd")
}
EOF
	# icinga2.conf FILE COMMANDS SERVICES: a private main config
	i2conf() {
		cat >"$1" <<EOF
/* private configuration of t_monitoring_cores.sh: nothing from /etc/icinga2 */
const PluginDir = $(istr "$WRAP")
const ManubulonPluginDir = PluginDir
const PluginContribDir = PluginDir
include <itl>
include <plugins>
include $(istr "$2")
include $(istr "$3")
include $(istr "$I2/etc/test-objects.conf")
include $(istr "$I2/etc/features.conf")
EOF
	}
	i2conf "$I2/etc/icinga2.conf" "$ETC/icinga2/ad-delegation-commands.conf" "$ETC/icinga2/ad-delegation-services.conf.example"

	# --- a. validation -----------------------------------------------------------
	local t0=$SECONDS out rc
	out=$("$ICINGA2" daemon -C -c "$I2/etc/icinga2.conf" "${D[@]}" 2>&1); rc=$?
	printf '%s\n' "$out" >"$I2/validate.log"
	if [ "$rc" = 0 ] && printf '%s\n' "$out" | grep -q 'Finished validating the configuration'; then
		ok "icinga2 daemon -C accepts the commands, the example services and the test objects ($((SECONDS - t0))s)"
	else
		not_ok "icinga2 daemon -C accepts the commands, the example services and the test objects" "exit $rc" "$(printf '%s\n' "$out" | grep -E 'critical|warning' | head -20)"
		return
	fi
	if printf '%s\n' "$out" | grep -q 'warning/'; then
		not_ok "validation without warnings" "$(printf '%s\n' "$out" | grep 'warning/')"
	else ok "validation without warnings"; fi

	local svcs
	svcs=$("$ICINGA2" object list --type Service "${D[@]}" 2>&1 | sed -n "s/^Object '\([^']*\)' of type 'Service':$/\1/p" | sort)
	local want_svcs
	want_svcs=$(printf '%s\n' corp.example!ad-unconstrained-delegation corp.example!ad-trust-delegation \
		corp.example!ad-ticket-events corp2.example!ad-unconstrained-delegation corp2.example!ad-trust-delegation \
		corp.test!ad-unconstrained-delegation corp.test!ad-trust-delegation corp.test!ad-ticket-events | sort)
	local got_apply
	got_apply=$(printf '%s\n' "$svcs" | grep -E '!ad-(unconstrained-delegation|trust-delegation|ticket-events)$' | grep -v '^corp-cfg' )
	if [ "$got_apply" = "$want_svcs" ]; then
		ok "apply rules: directory checks for every domain host, ticket events only where logs are named"
	else
		not_ok "apply rules give the expected services" "got:" "$got_apply" "wanted:" "$want_svcs"
	fi
	local sf
	sf=$("$ICINGA2" object list --type Service --name 'corp.test!ad-unconstrained-delegation' "${D[@]}" 2>&1 | sed -n 's/^ *\* ad_state_file = "\(.*\)"$/\1/p')
	if [ "$sf" = "$I2/lib/ad-delegation/corp.test.unconstrained.state" ]; then
		ok "the state file follows Configuration.DataDir (here the private one)"
	else not_ok "the state file follows Configuration.DataDir" "ad_state_file = '$sf'"; fi

	# every long option of each built plugin has its argument, and no more
	local cmd plugin miss extra have want
	for cmd in ad-unconstrained:check_ad_unconstrained ad-trust-delegation:check_ad_trust_delegation ad-ticket-events:check_ad_ticket_events; do
		plugin=${cmd#*:}; cmd=${cmd%%:*}
		if [ ! -x "$PLUGINDIR/$plugin" ]; then
			not_ok "CheckCommand $cmd maps every option of $plugin --help" "$plugin not built ($PLUGINDIR/$plugin missing)"
			continue
		fi
		"$ICINGA2" object list --type CheckCommand --name "$cmd" "${D[@]}" >"$I2/cmd.$cmd" 2>&1
		have=$(py i2args "$I2/cmd.$cmd" | sort -u)
		want=$(help_opts "$plugin")
		miss=$(comm -13 <(printf '%s\n' "$have") <(printf '%s\n' "$want"))
		extra=$(comm -23 <(printf '%s\n' "$have") <(printf '%s\n' "$want"))
		if [ -n "$want" ] && [ -z "$miss" ] && [ -z "$extra" ]; then
			ok "CheckCommand $cmd maps every option of $plugin --help ($(printf '%s\n' "$want" | wc -l) options)"
		else
			not_ok "CheckCommand $cmd maps every option of $plugin --help" "missing: $(echo $miss)" "not in --help: $(echo $extra)"
		fi
	done
	if grep -Eiq '"-(-password|P)"|\$ad_password\$|ad_bind_password' "$ETC/icinga2/ad-delegation-commands.conf"; then
		not_ok "no argument takes a password (only --password-file)"
	else ok "no argument takes a password (only --password-file)"; fi

	# broken copies must be rejected
	local b=$I2/broken
	sed '$d' "$ETC/icinga2/ad-delegation-commands.conf" >"$b/commands-unclosed.conf"   # drops the last '}'
	sed 's/check_command = "ad-unconstrained"/check_command = "ad-unconstraind"/' \
		"$ETC/icinga2/ad-delegation-services.conf.example" >"$b/services-typo.conf"
	if cmp -s "$b/commands-unclosed.conf" "$ETC/icinga2/ad-delegation-commands.conf" ||
		cmp -s "$b/services-typo.conf" "$ETC/icinga2/ad-delegation-services.conf.example"; then
		not_ok "broken copies differ from the originals (the sed patterns still match)"
	fi
	i2conf "$b/icinga2-unclosed.conf" "$b/commands-unclosed.conf" "$ETC/icinga2/ad-delegation-services.conf.example"
	i2conf "$b/icinga2-typo.conf" "$ETC/icinga2/ad-delegation-commands.conf" "$b/services-typo.conf"
	out=$("$ICINGA2" daemon -C -c "$b/icinga2-unclosed.conf" "${D[@]}" 2>&1); rc=$?
	if [ "$rc" != 0 ] && printf '%s\n' "$out" | grep -q 'syntax error, unexpected end of file' &&
		printf '%s\n' "$out" | grep -q '^Location: in .*/commands-unclosed.conf:'; then
		ok "icinga2 daemon -C rejects the commands file without its last brace (exit $rc)"
	else not_ok "icinga2 daemon -C rejects the commands file without its last brace" "exit $rc" "$(printf '%s\n' "$out" | tail -5)"; fi
	out=$("$ICINGA2" daemon -C -c "$b/icinga2-typo.conf" "${D[@]}" 2>&1); rc=$?
	if [ "$rc" != 0 ] && printf '%s\n' "$out" | grep -q "ad-unconstraind' of type 'CheckCommand' does not exist"; then
		ok "icinga2 daemon -C rejects a service naming a CheckCommand that does not exist (exit $rc)"
	else not_ok "icinga2 daemon -C rejects a service with an unknown CheckCommand" "exit $rc" "$(printf '%s\n' "$out" | tail -5)"; fi

	# --- b. a foreground daemon runs the checks ---------------------------------
	if [ "$RUNTIME" = 0 ]; then
		runtime_off "Icinga 2 daemon runs the checks"
		i2_outside "$marker"
		return
	fi
	t0=$SECONDS
	"$ICINGA2" daemon -c "$I2/etc/icinga2.conf" "${D[@]}" -x critical </dev/null >"$I2/daemon.out" 2>&1 &
	local i2pid=$!
	DAEMONS+=("$i2pid icinga2")
	local fifo=$I2/run/icinga2.cmd deadline=$((SECONDS + 20))
	while [ ! -p "$fifo" ] && [ "$SECONDS" -lt "$deadline" ] && kill -0 "$i2pid" 2>/dev/null; do sleep 0.1; done
	if [ ! -p "$fifo" ]; then
		not_ok "icinga2 daemon starts (external command pipe appears)"
		diag_file "$I2/daemon.out"; diag_file "$I2/log/icinga2.log" 15
		stop_pid "$i2pid"; forget_pid "$i2pid"
		return
	fi
	ok "icinga2 daemon runs in the foreground with private directories ($((SECONDS - t0))s to the command pipe)"
	# the example's services check every hour: force them now
	local now cmds="" s
	now=$(date +%s)
	for s in corp.test\;ad-unconstrained-delegation corp.test\;ad-trust-delegation corp.test\;ad-ticket-events \
		corp-cfg.test\;ad-unconstrained-delegation corp-cfg.test\;ad-trust-delegation; do
		cmds+="[$now] SCHEDULE_FORCED_SVC_CHECK;$s;$now"$'\n'
	done
	if timeout 5 bash -c 'printf "%s" "$1" >"$2"' _ "$cmds" "$fifo"; then
		ok "SCHEDULE_FORCED_SVC_CHECK written to the command pipe"
	else not_ok "SCHEDULE_FORCED_SVC_CHECK written to the command pipe"; fi

	local want_perf=(corp.test!ad-unconstrained-delegation corp.test!ad-trust-delegation corp.test!ad-ticket-events
		corp-cfg.test!ad-unconstrained-delegation corp-cfg.test!ad-trust-delegation)
	[ "$EVENTS_REAL" = 1 ] && want_perf+=(corp.test!events-window)
	local perf missing
	deadline=$((SECONDS + 25))
	while :; do
		perf=$(py i2perf "$I2")
		missing=""
		for s in "${want_perf[@]}"; do printf '%s\n' "$perf" | grep -q "^$s	" || missing+=" $s"; done
		for s in check_ad_unconstrained:/argv/unconstrained.state check_ad_trust_delegation:/argv/trusts.state \
			check_ad_ticket_events:/argv/events.state check_ad_unconstrained:ldap://flags-off.example; do
			py argv "$ARGV" "${s%%:*}" "${s#*:}" >/dev/null 2>&1 || missing+=" ${s#*:}"
		done
		[ -z "$missing" ] && break
		[ "$SECONDS" -ge "$deadline" ] && break
		kill -0 "$i2pid" 2>/dev/null || break
		sleep 0.2
	done
	if [ -z "$missing" ]; then ok "every service got a result ($((SECONDS - t0))s after start)"
	else not_ok "every service got a result within 25 s" "missing:$missing"; diag_file "$I2/log/icinga2.log" 20; fi
	local stop_t0=$SECONDS
	if stop_pid "$i2pid"; then ok "icinga2 stops on SIGTERM ($((SECONDS - stop_t0))s)"
	else not_ok "icinga2 stops on SIGTERM within 3 s"; fi
	forget_pid "$i2pid"
	leftovers "no Icinga 2 process is left" "$I2/etc/icinga2.conf"
	perf=$(py i2perf "$I2")
	printf '%s\n' "$perf" >"$I2/perfdata.txt"

	i2_expect() {   # i2_expect HOST!SERVICE STATE PERFDATA-ERE DESC
		local line
		line=$(printf '%s\n' "$perf" | grep "^$1	")
		if printf '%s\n' "$line" | grep -Eq "^[^	]*	$2	" && printf '%s\n' "$line" | cut -f3 | grep -Eq -- "$3"; then
			ok "Icinga 2 $4: $2, perfdata /$3/"
		else not_ok "Icinga 2 $4: $2, perfdata /$3/" "perfdata line: $line"; fi
	}
	i2_expect 'corp.test!ad-unconstrained-delegation' WARNING '(^| )unconstrained=8;0;;0;( |$)' "unconstrained (host variables)"
	i2_expect 'corp.test!ad-trust-delegation' CRITICAL '(^| )tgt_delegation=1;;0;0;( |$)' "trust delegation, 0x808 trust (host variables)"
	i2_expect 'corp-cfg.test!ad-unconstrained-delegation' WARNING '(^| )unconstrained=8;0;;0;( |$)' "unconstrained (ad_config)"
	i2_expect 'corp-cfg.test!ad-trust-delegation' CRITICAL '(^| )tgt_delegation=1;;0;0;( |$)' "trust delegation (ad_config)"
	if [ "$EVENTS_REAL" = 1 ]; then
		i2_expect 'corp.test!ad-ticket-events' OK '(^| )cross_trust=0(;| |$)' "ticket events, 15m window over 2019 events"
		i2_expect 'corp.test!events-window' '(OK|WARNING|CRITICAL)' \
			'(^| )cross_trust=6(;| |$)' "ticket events, Winlogbeat sample in a fixed window"
		local ev
		ev=$(printf '%s\n' "$perf" | grep '^corp.test!events-window	' | cut -f3)
		local lbl bad=""
		for lbl in tgt_4768=2 st_4769=3 renew_4770=1 forwarded=0 scanned=6; do
			printf '%s\n' "$ev" | grep -Eq "(^| )$lbl(;| |\$)" || bad+=" $lbl"
		done
		if [ -z "$bad" ]; then ok "ticket events perfdata per id as in the sample's manifest"
		else not_ok "ticket events perfdata per id" "missing:$bad" "perfdata: $ev"; fi
	else
		events_missing "Icinga 2 runs check_ad_ticket_events"
	fi

	# Icinga 2's own perfdata parser (the GraphiteWriter's metrics, debug log)
	local log=$I2/log/icinga2.log metric m
	for m in "corp.test!ad-unconstrained-delegation:perfdata.unconstrained.value 8 " \
		"corp.test!ad-unconstrained-delegation:perfdata.unconstrained.warn 0 " \
		"corp.test!ad-unconstrained-delegation:perfdata.rbcd.value 1 " \
		"corp.test!ad-unconstrained-delegation:perfdata.time.value " \
		"corp.test!ad-trust-delegation:perfdata.tgt_delegation.value 1 " \
		"corp.test!ad-trust-delegation:perfdata.tgt_delegation.crit 0 " \
		"corp.test!ad-trust-delegation:perfdata.trusts.value 1 "; do
		metric=${m#*:}
		if grep -F "Checkable '${m%%:*}' adds to metric list:" "$log" | grep -qF ".$metric"; then
			ok "Icinga 2 parsed perfdata: ${m%%:*} $metric"
		else not_ok "Icinga 2 parsed perfdata: ${m%%:*} $metric" "$(grep -F "Checkable '${m%%:*}' adds" "$log" | tail -5)"; fi
	done
	# the argv-only stubs print a probe (a range Icinga drops, a value it
	# cannot read): the log must name those, and nothing of the real checks
	local warn probe=0
	grep -qF "Ignoring unsupported perfdata warning range, value: '~:3'" "$log" &&
		grep -q "Ignoring invalid perfdata for checkable 'corp.test!argv-[a-z-]*' .* with value: junk=abc" "$log" && probe=1
	if [ "$probe" = 1 ]; then ok "Icinga 2 log: the probe's bad perfdata is reported (the check below can fail)"
	else not_ok "Icinga 2 log: the probe's bad perfdata is reported" "$(grep -iE 'perfdata' "$log" | grep -v 'adds to metric' | tail -5)"; fi
	warn=$(grep -E "Ignoring (invalid|unsupported) perfdata|Invalid performance data|(warning|critical)/[A-Za-z]+: .*([Pp]erf|[Ii]nvalid)" "$log" |
		grep -vF -e "value: '~:3'" -e "value: '@4'" | grep -v "checkable 'corp.test!argv-[a-z-]*' .* with value: junk=abc")
	if [ -z "$warn" ] && [ -s "$log" ]; then ok "Icinga 2 log: no perfdata warning for the real checks (invalid values, dropped threshold ranges)"
	else not_ok "Icinga 2 log: no perfdata warning for the real checks" "$warn"; fi
	if [ -s "$I2/lib/ad-delegation/corp.test.unconstrained.state" ] && [ -s "$I2/lib/ad-delegation/corp.test.trusts.state" ]; then
		ok "state files written where ad_state_dir says"
	else not_ok "state files written where ad_state_dir says" "$(ls -la "$I2/lib/ad-delegation")"; fi

	# what Icinga 2 put on the command lines
	expect_argv "Icinga 2 argv: corp.test unconstrained, from host variables and the example service" \
		check_ad_unconstrained "$I2/lib/ad-delegation/corp.test.unconstrained.state" \
		"--hostname $SLAPD_CORP_URI
--starttls
--ca-file $SLAPD_CA
--bind-dn $SLAPD_CORP_BIND_DN
--password-file $SLAPD_PWFILE
--state-file $I2/lib/ad-delegation/corp.test.unconstrained.state"
	expect_argv "Icinga 2 argv: corp-cfg.test trust, --config only" \
		check_ad_trust_delegation "$I2/lib/ad-delegation/corp-cfg.test.trusts.state" \
		"--config $ADCONF
--state-file $I2/lib/ad-delegation/corp-cfg.test.trusts.state"
	local common="--hostname ldaps://argv.example
--port 1636
--ssl
--starttls
--ca-file /argv/ca.pem
--insecure
--allow-plaintext
--bind-dn CN=svc monitor,OU=Service Accounts,DC=argv,DC=example
--password-file /argv/password
--sasl-mech GSSAPI
--keytab /argv/monitor.keytab
--base DC=argv,DC=example
--timeout 7:CRITICAL
--warning ~:3
--critical @5:9
--config /argv/ad.conf
--section argv-only
--verbose"
	expect_argv "Icinga 2 argv: every ad-unconstrained variable maps to its option" \
		check_ad_unconstrained "/argv/unconstrained.state" "$common
--exclude-disabled
--warning-protocol-transition 1
--critical-protocol-transition 2
--warning-rbcd 3
--critical-rbcd 4
--state-file /argv/unconstrained.state
--new-is CRITICAL"
	expect_argv "Icinga 2 argv: every ad-trust-delegation variable maps to its option" \
		check_ad_trust_delegation "/argv/trusts.state" "$common
--legacy
--scan-partners
--scan-all
--state-file /argv/trusts.state
--new-is UNKNOWN"
	expect_argv "Icinga 2 argv: ad-ticket-events, arrays repeat --evtx/--jsonl/--realm/--local-domain" \
		check_ad_ticket_events "/argv/events.state" "$common
--evtx /argv/dc1.evtx
--evtx /argv/dc2.evtx
--jsonl /argv/dc1.jsonl.gz
--jsonl -
--since 2h
--now 2026-01-02T03:04:05Z
--event-tz +02:00
--realm PARTNER.EXAMPLE
--realm PARTNER
--realms-from-ldap
--local-domain corp.example
--local-domain CORP
--warning-forwarded 5
--critical-forwarded 6
--state-file /argv/events.state"
	expect_argv "Icinga 2 argv: false flags, null and \"\" add nothing (a service drops host settings)" \
		check_ad_unconstrained "ldap://flags-off.example" "--hostname ldap://flags-off.example
--section argv-only"
	no_password_in_argv "Icinga 2: the bind password is on no command line"
	i2_outside "$marker"
	local e
	for e in "${DAEMONS[@]}"; do
		[ "${e#* }" = graphite-sink ] && { stop_pid "${e%% *}"; forget_pid "${e%% *}"; }
	done
}
i2_outside() {
	local out
	local sys; sys=$(system_daemons icinga2)
	if [ -n "$sys" ]; then   # ours are stopped: a system one runs
		skip "Icinga 2 wrote nothing under /etc, /var or /run" "another icinga2 runs on this machine and may write there: $(printf '%s' "$sys" | head -n 1 | cut -c1-120)"
		return
	fi
	out=$(newer_outside "$1" /etc/icinga2 /var/lib/icinga2 /var/cache/icinga2 /var/log/icinga2 /var/spool/icinga2 /run/icinga2 /var/run/icinga2)
	if [ -z "$out" ]; then ok "Icinga 2 wrote nothing under /etc, /var or /run"
	else not_ok "Icinga 2 wrote nothing under /etc, /var or /run" "$out"; fi
}

########################################################################
# Nagios 4
########################################################################
nagios_part() {
	if [ ! -x "$NAGIOS4" ]; then
		skip "Nagios 4: validation, daemon run" "nagios4 not installed (Debian package nagios4-core)"
		return
	fi
	local NG=$TEST_TMP/nagios
	rm -rf "$NG"
	argv_reset icinga2
	mkdir -p "$NG"/{tmp,checkresults,archives,broken}
	printf '$USER1$=%s\n' "$WRAP" >"$NG/resource.cfg"
	# what every Nagios has: a time period, a contact, generic-host/-service
	cat >"$NG/base.cfg" <<'EOF'
define timeperiod {
    timeperiod_name     24x7
    alias               24x7
    sunday              00:00-24:00
    monday              00:00-24:00
    tuesday             00:00-24:00
    wednesday           00:00-24:00
    thursday            00:00-24:00
    friday              00:00-24:00
    saturday            00:00-24:00
}
define command {
    command_name        notify-nobody
    command_line        /bin/true
}
define contact {
    contact_name                    nobody
    alias                           nobody
    host_notifications_enabled      0
    service_notifications_enabled   0
    host_notification_period        24x7
    service_notification_period     24x7
    host_notification_options       n
    service_notification_options    n
    host_notification_commands      notify-nobody
    service_notification_commands   notify-nobody
}
define contactgroup {
    contactgroup_name       admins
    alias                   admins
    members                 nobody
}
define host {
    name                    generic-host
    register                0
    max_check_attempts      1
    check_period            24x7
    contacts                nobody
    notification_interval   0
    notification_period     24x7
    notifications_enabled   0
}
define service {
    name                    generic-service
    register                0
    max_check_attempts      1
    check_interval          5
    retry_interval          1
    check_period            24x7
    contacts                nobody
    notification_interval   0
    notification_period     24x7
    notifications_enabled   0
}
EOF
	# ngconf FILE CFG...: a private nagios.cfg reading the CFG files
	ngconf() {
		local f=$1 c; shift
		{
			printf '%s\n' "log_file=$NG/nagios.log" "resource_file=$NG/resource.cfg" \
				"object_cache_file=$NG/objects.cache" "precached_object_file=$NG/objects.precache" \
				"status_file=$NG/status.dat" "status_update_interval=1" \
				"nagios_user=$ME_USER" "nagios_group=$ME_GROUP" \
				"check_external_commands=0" "command_file=$NG/nagios.cmd" \
				"lock_file=$NG/nagios.lock" "temp_file=$NG/nagios.tmp" "temp_path=$NG/tmp" \
				"check_result_path=$NG/checkresults" "state_retention_file=$NG/retention.dat" \
				"retain_state_information=0" "log_archive_path=$NG/archives" \
				"query_socket=$NG/nagios.qh" "debug_file=$NG/nagios.debug" "debug_level=0" \
				"use_syslog=0" "enable_notifications=0" "enable_event_handlers=0" \
				"illegal_macro_output_chars=\`~\$&|'\"<>" \
				"interval_length=1" "service_inter_check_delay_method=n" "host_inter_check_delay_method=n" \
				"max_service_check_spread=1" "max_host_check_spread=1" \
				"process_performance_data=1" "service_perfdata_file=$NG/service-perfdata" \
				"service_perfdata_file_template=\$SERVICEDESC\$\t\$SERVICESTATE\$\t\$SERVICEPERFDATA\$" \
				"service_perfdata_file_mode=a"
			for c in "$@"; do printf 'cfg_file=%s\n' "$c"; done
		} >"$f"
	}
	local marker=$NG/marker
	touch -d "@$(($(date +%s) - 1))" "$marker"
	ngconf "$NG/validate.cfg" "$NG/base.cfg" "$ETC/nagios/ad-delegation-commands.cfg" "$ETC/nagios/ad-delegation-services.cfg.example"
	local out rc
	out=$("$NAGIOS4" -v "$NG/validate.cfg" 2>&1); rc=$?
	printf '%s\n' "$out" >"$NG/validate.log"
	if [ "$rc" = 0 ] && printf '%s\n' "$out" | grep -q '^Total Errors: *0$'; then
		ok "nagios4 -v accepts the commands and the example services ($(printf '%s\n' "$out" | grep -o 'Checked [0-9]* services'))"
	else not_ok "nagios4 -v accepts the commands and the example services" "exit $rc" "$(printf '%s\n' "$out" | grep -iE 'error|warning' | head -10)"; fi
	if printf '%s\n' "$out" | grep -q '^Total Warnings: *0$'; then ok "nagios4 -v: no warnings"
	else not_ok "nagios4 -v: no warnings" "$(printf '%s\n' "$out" | grep -i 'warning' | head)"; fi
	# the same with the distribution's own sample objects (only read)
	local stock=/etc/nagios4/objects f
	if [ -r "$stock/templates.cfg" ] && [ -r "$stock/commands.cfg" ] && [ -r "$stock/contacts.cfg" ] && [ -r "$stock/timeperiods.cfg" ]; then
		ngconf "$NG/stock.cfg" "$stock/commands.cfg" "$stock/contacts.cfg" "$stock/timeperiods.cfg" "$stock/templates.cfg" \
			"$ETC/nagios/ad-delegation-commands.cfg" "$ETC/nagios/ad-delegation-services.cfg.example"
		out=$("$NAGIOS4" -v "$NG/stock.cfg" 2>&1); rc=$?
		if [ "$rc" = 0 ] && printf '%s\n' "$out" | grep -q '^Total Errors: *0$' && printf '%s\n' "$out" | grep -q '^Total Warnings: *0$'; then
			ok "nagios4 -v accepts the example with the stock generic-host/generic-service of $stock"
		else not_ok "nagios4 -v accepts the example with the stock templates of $stock" "exit $rc" "$(printf '%s\n' "$out" | grep -iE 'error|warning' | head)"; fi
	else
		skip "example with the stock Nagios templates" "$stock/templates.cfg not readable (Debian package nagios4-common)"
	fi
	local b=$NG/broken
	sed 's/check_command           check_ad_trust_delegation_bind$/check_command           check_ad_trust_delegation_bnd/' \
		"$ETC/nagios/ad-delegation-services.cfg.example" >"$b/services-typo.cfg"
	awk 'BEGIN{n=0} /^}/{n++; if (n==2) next} {print}' "$ETC/nagios/ad-delegation-commands.cfg" >"$b/commands-unclosed.cfg"
	if cmp -s "$b/services-typo.cfg" "$ETC/nagios/ad-delegation-services.cfg.example" ||
		cmp -s "$b/commands-unclosed.cfg" "$ETC/nagios/ad-delegation-commands.cfg"; then
		not_ok "Nagios broken copies differ from the originals (patterns still match)"
	fi
	ngconf "$b/typo.cfg" "$NG/base.cfg" "$ETC/nagios/ad-delegation-commands.cfg" "$b/services-typo.cfg"
	out=$("$NAGIOS4" -v "$b/typo.cfg" 2>&1); rc=$?
	if [ "$rc" != 0 ] && printf '%s\n' "$out" | grep -q "check_ad_trust_delegation_bnd.*not defined"; then
		ok "nagios4 -v rejects a service naming a command that does not exist (exit $rc)"
	else not_ok "nagios4 -v rejects a service naming an unknown command" "exit $rc" "$(printf '%s\n' "$out" | grep -i error | head -5)"; fi
	ngconf "$b/unclosed.cfg" "$NG/base.cfg" "$b/commands-unclosed.cfg" "$ETC/nagios/ad-delegation-services.cfg.example"
	out=$("$NAGIOS4" -v "$b/unclosed.cfg" 2>&1); rc=$?
	if [ "$rc" != 0 ]; then ok "nagios4 -v rejects the commands file with a definition left open (exit $rc)"
	else not_ok "nagios4 -v rejects the commands file with a definition left open" "$(printf '%s\n' "$out" | tail -5)"; fi

	# every option on the command lines exists in the plugin's --help
	local line plugin opts bad="" o
	while IFS= read -r line; do
		plugin=$(printf '%s\n' "$line" | sed -n 's|.*\$USER1\$/\(check_ad_[a-z_]*\).*|\1|p')
		[ -n "$plugin" ] || { bad+=" (no plugin in: $line)"; continue; }
		[ -x "$PLUGINDIR/$plugin" ] || { bad+=" $plugin:not-built"; continue; }
		opts=$(help_opts "$plugin")
		for o in $(printf '%s\n' "$line" | grep -oE -- ' --[a-z-]+' | sed 's/^ --//'); do
			printf '%s\n' "$opts" | grep -qx -- "$o" || bad+=" $plugin:--$o"
		done
		printf '%s\n' "$line" | grep -Eq -- "--password |-P |\\\$ARG[0-9]\\\$.*pass" && bad+=" password-on-command-line"
	done < <(grep -E '^\s*command_line' "$ETC/nagios/ad-delegation-commands.cfg")
	if [ -z "$bad" ]; then ok "Nagios command lines use only options the built plugins have, and no password"
	else not_ok "Nagios command lines use only options the built plugins have" "$bad"; fi

	if [ "$RUNTIME" = 0 ]; then
		runtime_off "nagios4 runs the checks"
		ng_outside "$marker"
		return
	fi
	cat >"$NG/test.cfg" <<EOF
define host {
    use                     generic-host
    host_name               corp.test
    address                 127.0.0.1
    _AD_HOSTNAME            $SLAPD_CORP_LDAPS_URI
    _AD_CA_FILE             $SLAPD_CA
    _AD_BIND_DN             $SLAPD_CORP_BIND_DN
    _AD_PASSWORD_FILE       $SLAPD_PWFILE
    _AD_CONFIG              $ADCONF
}
define service {
    use                     generic-service
    host_name               corp.test
    service_description     unconstrained-bind
    check_interval          600
    check_command           check_ad_unconstrained_bind
}
define service {
    use                     generic-service
    host_name               corp.test
    service_description     trust-bind
    check_interval          600
    check_command           check_ad_trust_delegation_bind
}
define service {
    use                     generic-service
    host_name               corp.test
    service_description     unconstrained-config
    check_interval          600
    _AD_SECTION             check_ad_unconstrained
    check_command           check_ad_unconstrained!--warning 10 --critical 20
}
define service {
    use                     generic-service
    host_name               corp.test
    service_description     unconstrained-servers
    check_interval          600
    _AD_SECTION             servers
    check_command           check_ad_unconstrained
}
define service {
    use                     generic-service
    host_name               corp.test
    service_description     trust-config
    check_interval          600
    _AD_SECTION             check_ad_trust_delegation
    check_command           check_ad_trust_delegation
}
EOF
	local nsvc=5
	if [ "$EVENTS_REAL" = 1 ]; then
		nsvc=6
		cat >>"$NG/test.cfg" <<EOF
define service {
    use                     generic-service
    host_name               corp.test
    service_description     events-config
    check_interval          600
    _AD_SECTION             check_ad_ticket_events
    check_command           check_ad_ticket_events!--since 400d
}
EOF
	fi
	ngconf "$NG/nagios.cfg" "$NG/base.cfg" "$ETC/nagios/ad-delegation-commands.cfg" "$NG/test.cfg"
	out=$("$NAGIOS4" -v "$NG/nagios.cfg" 2>&1) || { not_ok "nagios4 -v accepts the run's configuration" "$(printf '%s\n' "$out" | grep -i error)"; return; }
	local t0=$SECONDS
	"$NAGIOS4" "$NG/nagios.cfg" </dev/null >"$NG/daemon.out" 2>&1 &
	local ngpid=$!
	DAEMONS+=("$ngpid nagios4")
	local st deadline=$((SECONDS + 20)) n
	while :; do
		st=$(py ngstatus "$NG/status.dat" 2>/dev/null)
		n=$(printf '%s\n' "$st" | awk -F'\t' '$2 == "1"' | wc -l)
		[ "$n" -ge "$nsvc" ] && break
		[ "$SECONDS" -ge "$deadline" ] && break
		kill -0 "$ngpid" 2>/dev/null || break
		sleep 0.2
	done
	if [ "$n" -ge "$nsvc" ]; then ok "nagios4 in the foreground checked the $nsvc services ($((SECONDS - t0))s)"
	else not_ok "nagios4 checked the $nsvc services within 20 s" "$st"; diag_file "$NG/nagios.log"; diag_file "$NG/daemon.out"; fi
	printf '%s\n' "$st" >"$NG/status.txt"
	ng_expect() {   # ng_expect SERVICE STATE(0-3) OUTPUT-ERE PERF-ERE
		local l
		l=$(printf '%s\n' "$st" | awk -F'\t' -v s="$1" '$1 == s')
		if [ "$(printf '%s\n' "$l" | cut -f3)" = "$2" ] && printf '%s\n' "$l" | cut -f4 | grep -Eq -- "$3" &&
			printf '%s\n' "$l" | cut -f5 | grep -Eq -- "$4"; then
			ok "Nagios $1: $(state_name "$2"), perfdata /$4/"
		else not_ok "Nagios $1: $(state_name "$2"), perfdata /$4/" "status: $l"; fi
	}
	ng_expect unconstrained-bind 1 '^AD UNCONSTRAINED WARNING - 8 non-DC' '(^| )unconstrained=8;0;;0;( |$)'
	ng_expect trust-bind 2 '^AD TRUST DELEGATION CRITICAL - 1 trust' '(^| )tgt_delegation=1;;0;0;( |$)'
	ng_expect unconstrained-config 0 '^AD UNCONSTRAINED OK - 8 non-DC' '(^| )unconstrained=8;10;20;0;( |$)'
	ng_expect unconstrained-servers 1 '^AD UNCONSTRAINED WARNING - 4 non-DC' '(^| )unconstrained=4;0;;0;( |$)'
	ng_expect trust-config 2 '^AD TRUST DELEGATION CRITICAL' '(^| )tgt_delegation=1;;0;0;( |$)'
	if [ "$EVENTS_REAL" = 1 ]; then
		ng_expect events-config 0 '^AD TICKET EVENTS OK - 6 cross-trust ticket events .* in the 400d up to 2019-06-01' \
			'(^| )cross_trust=6;;;0; tgt_4768=2;;;0; st_4769=3;;;0; renew_4770=1;;;0; forwarded=0;;0;0;'
	else
		events_missing "Nagios runs check_ad_ticket_events"
	fi
	local stop_t0=$SECONDS
	if stop_pid "$ngpid"; then ok "nagios4 stops on SIGTERM ($((SECONDS - stop_t0))s)"
	else not_ok "nagios4 stops on SIGTERM within 3 s"; fi
	forget_pid "$ngpid"
	leftovers "no Nagios process (core, workers) is left" "$NG/nagios\."
	if grep -q "^unconstrained-bind	WARNING	unconstrained=8;0;;0; " "$NG/service-perfdata" 2>/dev/null &&
		grep -q "^trust-bind	CRITICAL	trusts=1;;;0; inbound=1;;;0; tgt_delegation=1;;0;0; " "$NG/service-perfdata"; then
		ok "Nagios perfdata file: states and perfdata"
	else not_ok "Nagios perfdata file: states and perfdata" "$(cat "$NG/service-perfdata" 2>/dev/null)"; fi
	expect_argv "Nagios argv: the _bind command from host custom variables" check_ad_unconstrained "$SLAPD_CORP_LDAPS_URI" \
		"--hostname $SLAPD_CORP_LDAPS_URI
--ca-file $SLAPD_CA
--bind-dn $SLAPD_CORP_BIND_DN
--password-file $SLAPD_PWFILE"
	expect_argv "Nagios argv: the config-file command with \$ARG1\$" check_ad_unconstrained "10" \
		"--config $ADCONF
--section check_ad_unconstrained
--warning 10
--critical 20"
	no_password_in_argv "Nagios: the bind password is on no command line"
	ng_outside "$marker"
}
ng_outside() {
	local out
	local sys; sys=$(system_daemons nagios4)
	if [ -n "$sys" ]; then
		skip "Nagios wrote nothing under /etc, /var or /run" "another nagios4 runs on this machine and may write there: $(printf '%s' "$sys" | head -n 1 | cut -c1-120)"
		return
	fi
	out=$(newer_outside "$1" /etc/nagios4 /var/lib/nagios4 /var/cache/nagios4 /var/log/nagios4 /run/nagios4 /var/run/nagios4)
	if [ -z "$out" ]; then ok "Nagios wrote nothing under /etc, /var or /run"
	else not_ok "Nagios wrote nothing under /etc, /var or /run" "$out"; fi
}

########################################################################
# Zabbix
########################################################################
zabbix_part() {
	local Z=$TEST_TMP/zabbix YML=$ETC/zabbix/template_ad_delegation_zabbix60.yaml
	local UP=$ETC/zabbix/userparameter_ad_delegation.conf
	rm -rf "$Z"
	mkdir -p "$Z"
	if [ "$have_yaml" != 1 ]; then
		skip "Zabbix template structure and JSONPath" "python3 with yaml missing (Debian package python3-yaml)"
	else
		# the checker prints its results only at the end: a crash half way
		# prints none, so its exit code and the number of results count too
		local r tc trc tn=0
		tc=$(py tmplcheck "$YML" "$UP" 2>"$Z/tmplcheck.err"); trc=$?
		while IFS='|' read -r r desc why; do
			[ -n "$r" ] || continue
			tn=$((tn + 1))
			case $r in ok) ok "Zabbix template: $desc";; *) not_ok "Zabbix template: $desc" "$why";; esac
		done <<<"$tc"
		if [ "$trc" = 0 ] && [ "$tn" -ge 10 ]; then ok "Zabbix template checker ran to the end ($tn results)"
		else not_ok "Zabbix template checker ran to the end" "exit $trc, $tn results (at least 10 expected)" "$(tail -n 15 "$Z/tmplcheck.err")"; fi
	fi
	if [ "$RUNTIME" = 0 ]; then runtime_off "Zabbix agent runs the UserParameters"; return; fi

	# the UserParameter file with this build's plugins and the test's config
	local n_plug n_conf
	n_plug=$(grep '^UserParameter=' "$UP" | grep -c '/usr/lib/nagios/plugins/')
	n_conf=$(grep '^UserParameter=' "$UP" | grep -c '/etc/ad-delegation-plugins/ad-delegation.conf')
	sed -e "s|/usr/lib/nagios/plugins/|$PLUGINDIR/|g" \
		-e "s|/etc/ad-delegation-plugins/ad-delegation.conf|$ADCONF|g" "$UP" >"$Z/userparameter.conf"
	if [ "$n_plug" -ge 3 ] && [ "$n_plug" = "$n_conf" ] && ! grep -q '/usr/lib/nagios/plugins/\|/etc/ad-delegation-plugins/' "$Z/userparameter.conf"; then
		ok "UserParameter file: $n_plug keys, plugin and config paths replaced for the test"
	else not_ok "UserParameter file: plugin and config paths replaced" "plugins: $n_plug, config: $n_conf"; fi

	local zget port="" started=0 attempt apid
	if [ -x "$ZBX_AGENTD" ]; then
		for attempt in 1 2 3 4 5; do
			port=$(free_port) || break
			cat >"$Z/zabbix_agentd.conf" <<EOF
LogFile=$Z/zabbix_agentd.log
LogFileSize=0
PidFile=$Z/zabbix_agentd.pid
Server=127.0.0.1
ServerActive=
ListenIP=127.0.0.1
ListenPort=$port
StartAgents=2
Hostname=t_monitoring_cores
Timeout=30
AllowRoot=1
UnsafeUserParameters=0
Include=$Z/userparameter.conf
EOF
			: >"$Z/zabbix_agentd.log"
			"$ZBX_AGENTD" -c "$Z/zabbix_agentd.conf" -f </dev/null >"$Z/agentd.out" 2>&1 &
			apid=$!
			DAEMONS+=("$apid zabbix_agentd")
			local deadline=$((SECONDS + 10))
			while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$apid" 2>/dev/null; do
				if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then started=1; break; fi
				sleep 0.1
			done
			[ "$started" = 1 ] && break
			stop_pid "$apid"; forget_pid "$apid"
			grep -qi 'address already in use\|cannot bind' "$Z/zabbix_agentd.log" "$Z/agentd.out" || break
		done
		if [ "$started" = 1 ]; then ok "zabbix_agentd runs in the foreground on 127.0.0.1:$port with the UserParameter file"
		else not_ok "zabbix_agentd starts"; diag_file "$Z/zabbix_agentd.log"; diag_file "$Z/agentd.out"; fi
	else
		skip "zabbix_agentd runs the UserParameters" "zabbix_agentd not installed (Debian package zabbix-agent); the commands run through sh instead"
	fi
	# zget KEY: the item's value (agent, or the UserParameter through sh as
	# the agent would run it)
	zget() {
		if [ "$started" = 1 ]; then py zget 127.0.0.1 "$port" "$1"; return; fi
		local name=${1%%[*} param="" cmd
		case $1 in *\[*\]) param=${1#*[}; param=${param%]};; esac
		cmd=$(sed -n "s/^UserParameter=$name\[\*\],//p" "$Z/userparameter.conf")
		[ -n "$cmd" ] || return 2
		sh -c "${cmd//\$1/$param}"
		return 0   # like the agent: the exit code is not the value
	}
	# zcase DESC KEY STATE SUMMARY-ERE EXPECTED(lines key=value of the dependent items)
	zcase() {
		local desc=$1 key=$2 state=$3 sere=$4 want=$5 got base line k v bad=""
		got=$(zget "$key"); local rc=$?
		printf '%s' "$got" >"$Z/answer.json"
		if [ "$rc" != 0 ] || ! python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d, dict)' "$Z/answer.json" 2>/dev/null; then
			not_ok "Zabbix $desc: the answer is one JSON object" "exit $rc" "$got"
			return
		fi
		ok "Zabbix $desc: the answer is one JSON object"
		if [ "$have_yaml" != 1 ]; then skip "Zabbix $desc: dependent items" "python3-yaml missing"; return; fi
		base=${key%%[*}
		local applied
		applied=$(py tmplapply "$YML" "$base" "$Z/answer.json")
		while IFS='=' read -r k v; do
			[ -n "$k" ] || continue
			line=$(printf '%s\n' "$applied" | awk -F'\t' -v k="$k" '$1 == k')
			case $v in
			'~'*) printf '%s\n' "$line" | cut -f2- | grep -Eq -- "^${v#\~}" || bad+=" $k: [$line]";;
			*) [ "$line" = "$k	$v" ] || bad+=" $k: [$line] wanted [$k	$v]";;
			esac
		done <<<"ad.delegation.${base#ad.delegation.}.state=~ok	$state\$
ad.delegation.${base#ad.delegation.}.summary=~ok	$sere
$want"
		local nitems
		nitems=$(printf '%s\n' "$applied" | grep -c .)
		if [ -z "$bad" ] && [ "$nitems" -gt 2 ]; then ok "Zabbix $desc: the template's $nitems dependent items get the right values"
		else not_ok "Zabbix $desc: the template's dependent items get the right values" "$bad" "$applied"; fi
	}
	local U=ad.delegation.unconstrained
	zcase "unconstrained, default section" "ad.delegation.unconstrained[]" 1 '8 non-DC accounts trusted for unconstrained delegation' \
		"$U.unconstrained=ok	8
$U.computers=ok	4
$U.users=ok	4
$U.disabled=ok	1
$U.excepted=ok	0
$U.protocol_transition=ok	1
$U.rbcd=ok	1
$U.time=~ok	[0-9.]+(e-[0-9]+)?$"
	zcase "unconstrained, section 'servers'" "ad.delegation.unconstrained[servers]" 1 '4 non-DC accounts' \
		"$U.unconstrained=ok	4
$U.users=ok	0"
	local R=ad.delegation.trusts
	zcase "trusts, default section" "ad.delegation.trusts[]" 2 '1 trust allows TGT delegation across the forest boundary: partner.example' \
		"$R.tgt_delegation=ok	1
$R.trusts=ok	1
$R.inbound=ok	1
$R.time=~ok	[0-9.]+"
	zcase "trusts, unreachable server (UNKNOWN, perfdata items discarded)" "ad.delegation.trusts[unreachable]" 3 'cannot connect' \
		"$R.tgt_delegation=~discard
$R.trusts=~discard
$R.time=~discard"
	# the commonest Zabbix mistake: a section (or the file) the check cannot use
	zcase "unconstrained, a section missing from the config file (UNKNOWN)" "ad.delegation.unconstrained[nosuch]" 3 "config file .* has no section 'nosuch'$" \
		"$U.unconstrained=~discard"
	if [ "$EVENTS_REAL" = 1 ]; then
		local E=ad.delegation.ticket_events
		zcase "ticket events, default section (Winlogbeat sample)" "ad.delegation.ticket_events[]" 0 '6 cross-trust ticket events' \
			"$E.cross_trust=ok	6
$E.forwarded=ok	0
$E.tgt_4768=ok	2
$E.st_4769=ok	3
$E.renew_4770=ok	1
$E.failed=ok	0
$E.scanned=ok	6
$E.malformed=ok	0
$E.unreadable=ok	0"
	else
		events_missing "Zabbix ticket events item"
	fi
	if [ "$started" = 1 ]; then
		local msg
		msg=$(py zget 127.0.0.1 "$port" 'ad.delegation.unconstrained[x;id]'); local rc=$?
		if [ "$rc" = 2 ] && printf '%s' "$msg" | grep -q 'Special characters'; then
			ok "Zabbix refuses shell characters in the section parameter (UnsafeUserParameters=0)"
		else not_ok "Zabbix refuses shell characters in the section parameter" "exit $rc: $msg"; fi
		local stop_t0=$SECONDS
		if stop_pid "$apid"; then ok "zabbix_agentd stops on SIGTERM ($((SECONDS - stop_t0))s)"
		else not_ok "zabbix_agentd stops on SIGTERM within 3 s"; fi
		forget_pid "$apid"
		# its processes rename themselves ("zabbix_agentd: listener #1 ..."):
		# none may still listen on the port
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then ok "nothing listens on the agent's port any more"
		else not_ok "nothing listens on the agent's port any more"; fi
	fi
}

T=$SECONDS; icinga2_part; tap_diag "Icinga 2 part: $((SECONDS - T))s"
T=$SECONDS; nagios_part; tap_diag "Nagios part: $((SECONDS - T))s"
T=$SECONDS; zabbix_part; tap_diag "Zabbix part: $((SECONDS - T))s"
tap_diag "total: $((SECONDS - T_START))s"
tap_done
