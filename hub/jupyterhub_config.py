# JupyterHub for a workshop on one Linux server: the course for every learner, each as
# their own Unix user, with memory and CPU caps and an idle culler that never loses work.
#
#   sudo python3 hub/setup_env.py /opt/mlpops-hub           # the hub's and learners' Python
#   sudo /opt/mlpops-hub/bin/python hub/learners.py create 30 --sheet learners.csv
#   sudo MLPOPS_HUB_BIND_URL=http://127.0.0.1:8000 /opt/mlpops-hub/bin/jupyterhub -f hub/jupyterhub_config.py
#
# Every setting below can be changed with an environment variable (MLPOPS_HUB_*), so the
# file itself never needs editing. No password is stored here or anywhere in the
# repository: learners log in with the random passwords learners.py gives them.
# Put a TLS reverse proxy (Caddy, nginx) in front before opening the hub beyond this
# machine; the defaults listen on 127.0.0.1 only.
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from mlpops_hub import CourseSpawner  # noqa: E402

c = get_config()  # noqa: F821 (JupyterHub provides get_config)
env = os.environ.get

state = Path(env("MLPOPS_HUB_STATE", "/srv/mlpops-hub"))
state.mkdir(mode=0o700, parents=True, exist_ok=True)
learner_python = Path(env("MLPOPS_HUB_PREFIX", sys.prefix))  # made by hub/setup_env.py

# Where learners connect: loopback unless the instructor says otherwise.
c.JupyterHub.bind_url = env("MLPOPS_HUB_BIND_URL", "http://127.0.0.1:8000")
c.JupyterHub.hub_ip = "127.0.0.1"  # the hub's own API: never beyond this machine
c.JupyterHub.hub_port = int(env("MLPOPS_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = env("MLPOPS_HUB_PROXY_API", "http://127.0.0.1:8001")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")  # made at first start
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.cleanup_servers = True  # a hub restart stops servers; files stay in homes

# Who may log in: local Unix users in one group, with their own passwords (PAM).
c.JupyterHub.authenticator_class = "pam"
c.LocalAuthenticator.allowed_groups = {env("MLPOPS_HUB_GROUP", "mlpops-learners")}
c.Authenticator.admin_users = set(filter(None, env("MLPOPS_HUB_ADMINS", "").split(",")))
c.LocalAuthenticator.create_system_users = False  # learners.py makes users, with homes 0700

# Each learner's server: their own user, their own home, capped.
c.JupyterHub.spawner_class = CourseSpawner
c.CourseSpawner.course_source = env("MLPOPS_HUB_COURSE", str(HERE.parent / "notebooks"))
c.Spawner.cmd = [str(learner_python / "bin" / "jupyterhub-singleuser")]
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab/tree/mlpops-course/00-start-here.ipynb"
c.Spawner.mem_limit = env("MLPOPS_HUB_MEM_LIMIT", "1G")  # a notebook's kernel peaks near 200 MiB
c.Spawner.cpu_limit = float(env("MLPOPS_HUB_CPU_LIMIT", "1"))
c.Spawner.start_timeout = 300  # a whole room starting at once on few cores is slow, not broken
c.Spawner.http_timeout = 300  # time from process start to answering: slow under a burst
c.Spawner.environment = {"MLPOPS_HUB": "1"}
c.Spawner.args = [
    # a kernel idle for 20 minutes with no tab open frees its memory; files are untouched
    "--MappingKernelManager.cull_idle_timeout=1200",
    "--MappingKernelManager.cull_connected=False",
    "--MappingKernelManager.cull_interval=120",
    # a kernel's channels are Unix sockets in the learner's own runtime folder, not TCP
    # ports picked at random: no port race when a whole room starts kernels at once
    "--KernelManager.transport=ipc",
]

# The idle culler stops a server only after an hour with no activity (an open tab counts
# as activity, and JupyterLab saves on its own every 2 minutes), never deletes a user,
# and never touches files: the next login finds every notebook as it was left.
cull_timeout = env("MLPOPS_HUB_CULL_TIMEOUT", "3600")
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={cull_timeout}",
            "--cull-every=300",
            "--cull-users=False",
        ],
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
