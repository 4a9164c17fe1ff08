#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run asn1c on the RSPRO module into a given directory and drop the files
# we do not build (the sample converter and its makefile fragment).
#
# usage: asn1c-gen.sh ASN1C OUTDIR MODULE.asn
set -eu

if [ $# -ne 3 ]; then
	echo "usage: $0 ASN1C OUTDIR MODULE.asn" >&2
	exit 2
fi

asn1c=$1
outdir=$2
module=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")

mkdir -p "$outdir"
cd "$outdir"

# asn1c reports every copied file on stderr; keep it quiet unless it fails
if ! log=$("$asn1c" -fcompound-names -fno-include-deps -pdu=RsproPDU "$module" 2>&1); then
	printf '%s\n' "$log" >&2
	echo "asn1c failed on $module" >&2
	exit 1
fi
rm -f converter-sample.c Makefile.am.sample pdu_collection.c
