#!/bin/sh
# Install the Debian 12 packages remsim needs to build, run its demo and
# run its tests. Does nothing for packages that are already installed.
set -e

PKGS="build-essential meson ninja-build pkg-config asn1c
libglib2.0-dev libglib2.0-bin libsoup-3.0-dev libjson-glib-dev libusb-1.0-0-dev libpcsclite-dev
pcscd pcsc-tools vsmartcard-vpcd vsmartcard-vpicc python3-virtualsmartcard python3-pycryptodome
python3-pyscard python3-pyasn1 opensc tshark openssl curl dbus
umockdev libumockdev-dev clang libclang-rt-14-dev"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
	SUDO="sudo"
fi

echo "remsim: installing Debian packages:$missing" >&2
$SUDO apt-get update -q
# tshark asks whether non-root users may capture; the default (no) is fine
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
