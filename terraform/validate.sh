#!/usr/bin/env bash
# Checks terraform/ with `terraform fmt -check` and `terraform validate` against the real google provider,
# built from its Go module into a filesystem mirror (no registry access needed). Idempotent: every step is cached.
#
#   bash terraform/validate.sh            # fmt + validate (builds what is missing)
#   bash terraform/validate.sh --build    # only make sure the CLI and the provider are there
#
# Cache (under <repo>/.cache): bin/terraform (only when none is on PATH), terraform-providers/ (the mirror),
# terraform-build/ (the throwaway Go module), terraform.rc (the generated CLI config).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache"
TF_DIR="$ROOT/terraform"

# The provider's Go module path has no /vN suffix, so its release tags (v8.0.0 …) are not valid module versions
# and the module proxy lists none of them; a pseudo-version pins the commit instead. This commit is the
# 8.0.0 release (CHANGELOG.md at that commit opens with "8.0.0 (August 26, 2026)").
PROVIDER_MODULE="github.com/hashicorp/terraform-provider-google"
PROVIDER_PSEUDO_VERSION="v1.20.1-0.20260828184646-f3721fb45fa3"
PROVIDER_VERSION="8.0.0"
TERRAFORM_VERSION="v1.11.4"
OPENTOFU_VERSION="v1.9.1"

PLATFORM="$(go env GOOS 2>/dev/null || uname -s | tr '[:upper:]' '[:lower:]')_$(go env GOARCH 2>/dev/null || echo amd64)"
MIRROR="$CACHE/terraform-providers"
PROVIDER_DIR="$MIRROR/registry.terraform.io/hashicorp/google/$PROVIDER_VERSION/$PLATFORM"
PROVIDER_BIN="$PROVIDER_DIR/terraform-provider-google_v$PROVIDER_VERSION"
CLI_CONFIG="$CACHE/terraform.rc"

log() { echo "validate.sh: $*" >&2; }

# A Go module that only depends on the one we want: `go install pkg@version` refuses modules whose
# version list the proxy will not serve, a throwaway module with a pinned require does not.
build_go_binary() { # <module dir> <package> <version> <output> [ldflags]
  local dir="$1" pkg="$2" version="$3" out="$4" ldflags="${5:-}"
  mkdir -p "$dir" "$(dirname "$out")"
  printf 'module landfall.local/tfbuild\n\ngo 1.26\n' >"$dir/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$pkg" >"$dir/tools.go"
  (
    cd "$dir"
    nice -n 19 go get "$pkg@$version"
    nice -n 19 go mod tidy
    nice -n 19 go build -trimpath -ldflags "-s -w $ldflags" -o "$out.tmp" "$pkg"
  )
  mv "$out.tmp" "$out"
}

ensure_provider() {
  if [[ -x "$PROVIDER_BIN" ]]; then return; fi
  command -v go >/dev/null || { log "go is needed to build the google provider"; exit 1; }
  log "building $PROVIDER_MODULE@$PROVIDER_PSEUDO_VERSION as $PROVIDER_VERSION (cold: tens of minutes on 2 cores)"
  local started=$SECONDS
  build_go_binary "$CACHE/terraform-build/provider" "$PROVIDER_MODULE" "$PROVIDER_PSEUDO_VERSION" "$PROVIDER_BIN" \
    "-X $PROVIDER_MODULE/version.ProviderVersion=$PROVIDER_VERSION"
  log "provider built in $((SECONDS - started)) s"
}

# terraform from PATH, else a cached build: terraform itself, or OpenTofu if terraform's module will not build.
ensure_cli() {
  if [[ -n "${TERRAFORM:-}" ]]; then return; fi
  if command -v terraform >/dev/null; then TERRAFORM="$(command -v terraform)"; return; fi
  if command -v tofu >/dev/null; then TERRAFORM="$(command -v tofu)"; return; fi
  local tf="$CACHE/bin/terraform" tofu="$CACHE/bin/tofu"
  if [[ -x "$tf" ]]; then TERRAFORM="$tf"; return; fi
  if [[ -x "$tofu" ]]; then TERRAFORM="$tofu"; return; fi
  log "no terraform on PATH: building terraform $TERRAFORM_VERSION"
  if build_go_binary "$CACHE/terraform-build/terraform" github.com/hashicorp/terraform "$TERRAFORM_VERSION" "$tf"; then
    TERRAFORM="$tf"
  else
    log "terraform did not build; building OpenTofu $OPENTOFU_VERSION"
    build_go_binary "$CACHE/terraform-build/tofu" github.com/opentofu/opentofu/cmd/tofu "$OPENTOFU_VERSION" "$tofu"
    TERRAFORM="$tofu"
  fi
}

write_cli_config() {
  mkdir -p "$CACHE"
  # Only the mirror: nothing may reach for a registry.
  cat >"$CLI_CONFIG.tmp" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/hashicorp/google"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/google"]
  }
}
EOF
  mv "$CLI_CONFIG.tmp" "$CLI_CONFIG"
}

main() {
  ensure_cli
  ensure_provider
  write_cli_config
  [[ "${1:-}" == "--build" ]] && return 0
  export TF_CLI_CONFIG_FILE="$CLI_CONFIG" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
  log "$("$TERRAFORM" version | head -1), google provider $PROVIDER_VERSION"
  # fmt reads the sources in place; init and validate run on a scratch copy, so neither .terraform/ nor a
  # lock file holding the hashes of a locally built provider ever lands in the source tree.
  "$TERRAFORM" -chdir="$TF_DIR" fmt -check -recursive -diff
  local work="$CACHE/terraform-validate"
  rm -rf "$work" && mkdir -p "$work"
  cp "$TF_DIR"/*.tf "$TF_DIR"/*.tf.json "$work"/
  "$TERRAFORM" -chdir="$work" init -backend=false -input=false -no-color >"$work/init.log" 2>&1 ||
    { cat "$work/init.log" >&2; exit 1; }
  "$TERRAFORM" -chdir="$work" validate -no-color
}

main "$@"
