# SPDX-License-Identifier: GPL-2.0
# Run by tools/deb/test inside a fresh minbase chroot of the suite (sh):
# /pkg holds the .deb, /data the test inputs, /res receives the results
# that tools/deb/test asserts on.
set -u
cd /res
deb=$(ls /pkg/svatop_*.deb)

# Every file, directory and link outside the pseudo file systems and our
# mounts, with its type, mode, owner, and size (files) or target (links),
# so a purge can be checked. (A directory's size is the file system's
# business: overlayfs changes it when it copies the directory up.)
snapshot() {
	find / -xdev \( -path /res -o -path /data -o -path /pkg \) -prune -o \
		-type d -printf '%p d %m %u:%g\n' -o -printf '%p %y %m %u:%g %s %l\n' | sort
}

apt-get update -qq >apt-update.log 2>&1
echo $? >apt-update.rc
# The dependencies first, so that dpkg -i installs svatop alone.
apt-get satisfy -y -qq "$(dpkg-deb -f "$deb" Depends)" >deps.log 2>&1
echo $? >deps.rc
snapshot >before.lst
dpkg -i "$deb" >dpkg-install.log 2>&1
echo $? >dpkg-install.rc
dpkg -L svatop >files.lst
command -v svatop >which.out

svatop --version >version.out 2>&1
echo $? >version.rc
svatop probe --btf /data/btf >probe.out 2>probe.err
echo $? >probe.rc
svatop replay /data/snapshot_fork_leak.rec leaks >replay-leaks.out 2>&1
echo $? >replay-leaks.rc
svatop replay /data/one_to_n.rec trace -j >replay-trace.out 2>replay-trace.err
echo $? >replay-trace.rc

# The exporter as the unit runs it (its options from the installed
# defaults file), on a recording: one scrape over bash's /dev/tcp.
(
	. /etc/default/svatop-exporter
	exec svatop exporter --replay /data/one_to_n.rec --listen 127.0.0.1:0 $SVATOP_EXPORTER_OPTS
) >exporter.out 2>exporter.err &
pid=$!
i=0
while ! grep -q '^svatop exporter: serving' exporter.err && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
port=$(sed -n 's|^svatop exporter: serving http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' exporter.err)
bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1 && printf "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n" >&3 && cat <&3' \
	scrape "${port:-1}" >scrape.out 2>scrape.err
kill -INT $pid
wait $pid
echo $? >exporter.rc

dpkg --purge svatop >dpkg-purge.log 2>&1
echo $? >dpkg-purge.rc
snapshot >after.lst

# The README's way: apt resolves the local file.
apt-get install -y -qq "$deb" >apt-install.log 2>&1
echo $? >apt-install.rc
svatop --version >apt-version.out 2>&1

# The unit checked by the release's own systemd (man-db: verify runs man
# for Documentation=man:svatop(8)).
apt-get install -y -qq systemd man-db >systemd-install.log 2>&1
echo $? >systemd-install.rc
unit=$(dpkg -L svatop | grep '/svatop-exporter.service$')
systemd-analyze --version | head -n 1 >systemd-version.out
systemd-analyze verify "$unit" >verify.out 2>&1
echo $? >verify.rc
systemd-analyze security --offline=true "$unit" >security.out 2>&1
echo $? >security.rc
apt-get purge -y -qq svatop >apt-purge.log 2>&1
echo $? >apt-purge.rc
