#!/usr/bin/env bash
# Start the inspector daemon (which starts QEMU) and open the workbench in a
# browser once it is up: xdg-open when there is a display, else just the URL
# (the daemon prints it). Ctrl-C stops the daemon and its QEMU.
#
#   scripts/workbench.sh DAEMON [daemon options...]     (make workbench)
set -uo pipefail

daemon=$1
shift
"$daemon" "$@" | while IFS= read -r line; do
  printf '%s\n' "$line"
  case "$line" in
    "Glassbox workbench: http"*)
      url=${line#Glassbox workbench: }
      if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]] && command -v xdg-open >/dev/null 2>&1; then
        xdg-open "$url" >/dev/null 2>&1 &
      else
        printf 'Open %s in a browser (Ctrl-C here stops the workbench).\n' "$url"
      fi
      ;;
  esac
done
exit "${PIPESTATUS[0]}"
