#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, to test the sweep scripts for real (run as root).
#
#   apt-get install -y slurm-wlm munge     # Debian 12: Slurm 22.05
#   scripts/slurm/local_cluster.sh          # writes /etc/slurm/slurm.conf, starts munged, slurmctld, slurmd
#   scripts/slurm/local_cluster.sh stop     # stops the three daemons (by the pids they wrote)
#
# The node is this host with all its CPUs (nproc) in one partition, "debug"; no cgroups, no
# accounting, so it also runs inside a container. Not a production configuration.
set -euo pipefail
[[ $(id -u) == 0 ]] || { echo "error: run as root (it writes /etc/slurm and starts daemons)" >&2; exit 2; }
run=/run/patchsvdd-slurm
if [[ ${1:-} == stop ]]; then
  for p in slurmd slurmctld munged; do
    f=$run/$p.pid; [[ $p == munged ]] && f=/run/munge/munged.pid
    [[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null || true
  done
  exit 0
fi
host=$(hostname -s)
cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10 ))
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm $run /run/munge
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=patchsvdd-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=$run/slurmctld.pid
SlurmdPidFile=$run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MaxArraySize=1001
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
[[ -s /etc/munge/munge.key ]] || mungekey --create
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
pgrep -x munged >/dev/null || su -s /bin/sh munge -c "/usr/sbin/munged --pid-file=/run/munge/munged.pid" \
  || /usr/sbin/munged --force
slurmctld -f /etc/slurm/slurm.conf
slurmd -f /etc/slurm/slurm.conf
for _ in $(seq 30); do
  sinfo -h -o %T 2>/dev/null | grep -qx idle && { sinfo; exit 0; }
  sleep 1
done
echo "error: the node did not become idle in 30 s; see /var/log/slurm/slurmctld.log and slurmd.log" >&2
sinfo || true
exit 1
