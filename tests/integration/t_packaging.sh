#!/bin/bash
# Packaging: `make install` puts every file where the man pages and README
# say; the Debian package builds from packaging/debian and holds the checks;
# the RPM spec parses.
source "$TOP_SRCDIR/tests/lib/tap.sh"

# --- make install into a staging root ------------------------------------------
root=$TEST_TMP/root
if make -s -C "$BUILDDIR" install DESTDIR="$root" >"$TEST_TMP/install.log" 2>&1; then ok "make install"; else not_ok "make install" "$(tail -20 "$TEST_TMP/install.log")"; fi
prefix=$(sed -n 's/^prefix = //p' "$BUILDDIR/Makefile")
plugindir=$(sed -n 's/^plugindir = //p' "$BUILDDIR/Makefile" | sed "s|\${libdir}|$prefix/lib|; s|\${exec_prefix}|$prefix|")
for f in "$plugindir/check_ad_unconstrained" "$plugindir/check_ad_trust_delegation" \
	"$prefix/share/man/man7/ad-delegation-plugins.7" "$prefix/share/man/man8/check_ad_unconstrained.8" \
	"$prefix/share/man/man8/check_ad_trust_delegation.8" "$prefix/etc/ad-delegation-plugins/ad-delegation.conf.example"; do
	if [ -f "$root$f" ]; then ok "installed: $f"; else not_ok "installed: $f"; fi
done
v=$("$root$plugindir/check_ad_unconstrained" --version); rc=$?
if [ "$rc" = 3 ] && [ "$v" = "check_ad_unconstrained 0.1.0 (ad-delegation-plugins)" ]; then ok "installed binary runs"; else not_ok "installed binary runs" "$rc $v"; fi
if command -v man >/dev/null; then
	for m in "$root$prefix"/share/man/man*/*; do
		w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null)
		if [ -z "$w" ]; then ok "man page renders without warnings: $(basename "$m")"; else not_ok "man page $(basename "$m")" "$w"; fi
	done
fi
# the sample config is accepted by every check: parsed to the end, each
# fails only at the password file the sample names (which a test machine
# does not have), UNKNOWN, exactly this line and nothing else
secret=/etc/ad-delegation-plugins/svc-monitor.secret
n=0
for p in "$root$plugindir"/check_ad_*; do
	[ -f "$p" ] || continue
	n=$((n + 1)); name=$(basename "$p")
	case $name in
	check_ad_unconstrained) svc="AD UNCONSTRAINED";;
	check_ad_trust_delegation) svc="AD TRUST DELEGATION";;
	check_ad_ticket_events) svc="AD TICKET EVENTS";;
	*) not_ok "sample config accepted by $name" "a check this test does not know: add its service name"; continue;;
	esac
	if [ -e "$secret" ]; then
		skip "sample config accepted by $name" "$secret exists on this machine: the sample would really connect"
		continue
	fi
	out=$("$p" --config "$root$prefix/etc/ad-delegation-plugins/ad-delegation.conf.example" -t 2 2>&1); rc=$?
	want="$svc UNKNOWN - cannot open password file $secret: No such file or directory"
	if [ "$rc" = 3 ] && [ "$out" = "$want" ]; then ok "sample config accepted by $name"
	else not_ok "sample config accepted by $name" "exit $rc (wanted 3), output:" "$out" "wanted exactly:" "$want"; fi
done
if [ "$n" = 3 ]; then ok "make install installed the 3 checks"; else not_ok "make install installed the 3 checks" "found $n in $root$plugindir"; fi

# --- Debian package ---------------------------------------------------------------
if ! command -v dpkg-buildpackage >/dev/null || ! dpkg-query -W -f='${Status}' debhelper 2>/dev/null | grep -q "ok installed"; then
	skip "Debian package builds" "dpkg-buildpackage or debhelper not installed"
elif ! command -v git >/dev/null; then
	skip "Debian package builds" "git not installed (the package source is what git ls-files lists; scripts/install-deps installs git)"
else
	# the package is built from the source files: those git tracks plus new
	# ones not committed yet (--others), never ignored ones (build
	# directories, autoreconf output); a file deleted but not yet `git rm`ed
	# is left out.  safe.directory: the checkout may belong to another user
	# than the one running the tests as root (git refuses it otherwise)
	src=$TEST_TMP/src/ad-delegation-plugins-0.1.0
	mkdir -p "$src"
	git -c safe.directory="$TOP_SRCDIR" -C "$TOP_SRCDIR" ls-files -z --cached --others --exclude-standard >"$TEST_TMP/files" 2>"$TEST_TMP/git.err"; grc=$?
	(cd "$TOP_SRCDIR" && while IFS= read -r -d '' f; do
		[ -f "$f" ] && printf '%s\0' "$f"; done <"$TEST_TMP/files" | xargs -0 -r cp --parents -t "$src")
	if [ "$grc" = 0 ] && [ -f "$src/configure.ac" ] && [ -f "$src/Makefile.am" ] && [ -f "$src/packaging/debian/control" ]; then
		ok "package source from git ls-files ($(tr -cd '\0' <"$TEST_TMP/files" | wc -c) files)"
	else
		not_ok "package source from git ls-files" "git exit $grc: $(head -c 300 "$TEST_TMP/git.err")" \
			"(git is needed: scripts/install-deps installs it; the source must be a git checkout)"
	fi
	cp -r "$src/packaging/debian" "$src/debian"
	if (cd "$src" && timeout 600 dpkg-buildpackage -b -us -uc -j2 >"$TEST_TMP/deb.log" 2>&1); then
		ok "dpkg-buildpackage -b (unit tests run inside)"
		deb=$(ls "$TEST_TMP"/src/ad-delegation-plugins_0.1.0-1_*.deb 2>/dev/null | head -1)
		list=$(dpkg-deb -c "$deb" | awk '{print $6}')
		for f in ./usr/lib/nagios/plugins/check_ad_unconstrained ./usr/lib/nagios/plugins/check_ad_trust_delegation \
			./usr/share/man/man8/check_ad_unconstrained.8.gz ./etc/ad-delegation-plugins/ad-delegation.conf.example; do
			if printf '%s\n' "$list" | grep -qx "$f"; then ok "package holds $f"; else not_ok "package holds $f" "$list"; fi
		done
		dep=$(dpkg-deb -f "$deb" Depends)
		case $dep in *libldap*libconfig*|*libconfig*libldap*) ok "shlibs dependencies computed: $dep";; *) not_ok "shlibs dependencies" "$dep";; esac
		dpkg-deb -x "$deb" "$TEST_TMP/debroot"
		v=$("$TEST_TMP/debroot/usr/lib/nagios/plugins/check_ad_trust_delegation" -V)
		if [ "$v" = "check_ad_trust_delegation 0.1.0 (ad-delegation-plugins)" ]; then ok "packaged binary runs"; else not_ok "packaged binary runs" "$v"; fi
	else
		not_ok "dpkg-buildpackage -b" "$(tail -30 "$TEST_TMP/deb.log")"
	fi
fi

# --- RPM spec -------------------------------------------------------------------------
if command -v rpmspec >/dev/null; then
	if out=$(rpmspec -P "$TOP_SRCDIR/packaging/rpm/ad-delegation-plugins.spec" 2>&1) && printf '%s\n' "$out" | grep -q "^Version: *0.1.0"; then
		ok "RPM spec parses (rpmspec -P)"
	else not_ok "RPM spec parses" "$out"; fi
	v_spec=$(sed -n 's/^Version: *//p' "$TOP_SRCDIR/packaging/rpm/ad-delegation-plugins.spec")
	v_ac=$(sed -n 's/^AC_INIT(\[ad-delegation-plugins\], \[\([^]]*\)\].*/\1/p' "$TOP_SRCDIR/configure.ac")
	if [ "$v_spec" = "$v_ac" ]; then ok "RPM spec version matches configure.ac ($v_ac)"; else not_ok "RPM version" "$v_spec vs $v_ac"; fi
else
	skip "RPM spec parses" "rpmspec not installed"
fi
v_deb=$(sed -n '1s/^ad-delegation-plugins (\([^-)]*\).*/\1/p' "$TOP_SRCDIR/packaging/debian/changelog")
v_ac=$(sed -n 's/^AC_INIT(\[ad-delegation-plugins\], \[\([^]]*\)\].*/\1/p' "$TOP_SRCDIR/configure.ac")
if [ "$v_deb" = "$v_ac" ]; then ok "Debian changelog version matches configure.ac"; else not_ok "Debian version" "$v_deb vs $v_ac"; fi
tap_done
