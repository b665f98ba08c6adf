#!/bin/sh
# The api's and the worker's entrypoint: each ATTACHMENTS_<NAME>_FILE (or CLOUDINARY_URL_FILE) names a file,
# a Docker or Kubernetes secret, whose content becomes ATTACHMENTS_<NAME>; then the command runs. A named file
# that cannot be read stops the container with the variable's name, never the secret.
set -eu
for name in $(env | sed -n 's/^\(ATTACHMENTS_[A-Z0-9_]*\|CLOUDINARY_URL\)_FILE=.*/\1/p'); do
  file=$(printenv "${name}_FILE")
  if [ ! -r "$file" ]; then
    echo "${name}_FILE names $file, which cannot be read: give the secret" >&2
    exit 1
  fi
  value=$(cat "$file")
  export "$name=$value"
  unset "${name}_FILE"
done
exec "$@"
