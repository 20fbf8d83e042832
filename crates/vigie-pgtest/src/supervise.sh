# Runs the PostgreSQL server for the test process and stops it when that process is gone.
#
# Usage: sh -c "$(cat supervise.sh)" sh FOLDER LOG COMMAND...
#
# The test process holds the write end of this script's standard input and never writes to
# it: the pipe closes when the test process drops the server, exits without dropping it (a
# `static`), crashes or is killed with SIGKILL. Then the watcher below asks the server for a
# fast shutdown (SIGINT) and, once it has stopped, this script removes FOLDER, but only when
# FOLDER holds the file `owned-by-supervisor`, which the test process writes there once the
# server has started (before that, a failed start leaves the folder to the test process,
# which reads the log from it).
#
# Prints the server's process id on its standard output, then nothing else.

folder=$1
log=$2
shift 2

# Background commands of a non-interactive shell read /dev/null: keep the pipe on fd 3.
exec 3<&0

"$@" </dev/null >>"$log" 2>&1 3<&- &
server=$!
echo "$server"
exec >/dev/null

(
  while read -r _ <&3; do :; done
  kill -INT "$server" 2>/dev/null
) &
watcher=$!
exec 3<&-

wait "$server"
status=$?
# The server has exited (on the watcher's signal or on its own): the watcher must not
# signal a process id that may be reused from now on.
kill "$watcher" 2>/dev/null
if [ -f "$folder/owned-by-supervisor" ]; then
  rm -rf -- "$folder"
fi
exit "$status"
