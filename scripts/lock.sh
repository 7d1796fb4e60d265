#!/usr/bin/env bash
# Regenerate requirements/lock.txt: CKAN 2.12.0 with the pins of its own sdist requirements, plus direct.in.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3.11 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" download --no-deps --no-binary :all: ckan==2.12.0 -d "$tmp" >/dev/null
tar -xzf "$tmp"/ckan-2.12.0.tar.gz -C "$tmp"
"$tmp/venv/bin/pip" install -r "$tmp/ckan-2.12.0/requirements.txt" -r requirements/direct.in
{
  echo "# Lock file: the exact working set (CKAN 2.12.0 with the pins of its sdist requirements.txt and dev-requirements.txt,"
  echo "# ckanext-dcat 2.4.4, ckanext-harvest 1.6.3, ckanext-scheming 3.1.0, and ours). Regenerate: scripts/lock.sh"
  "$tmp/venv/bin/pip" freeze --exclude-editable
} > requirements/lock.txt
echo "wrote requirements/lock.txt"
