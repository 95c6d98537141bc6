package storetest

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver for the admin connection
)

// dirPattern names the clusters' directories in os.TempDir; ownerFile in each holds the id of
// the test process that started it.
const (
	dirPattern = "linkwell-pg-*"
	ownerFile  = "owner.pid"
)

// cluster is a throwaway PostgreSQL server living in a temporary directory and listening only
// on a unix socket there, so it needs no TCP port.
type cluster struct {
	bin   string
	dir   string
	cred  *syscall.Credential // set when running as root, which initdb and pg_ctl refuse
	admin *sql.DB             // connected to the "postgres" database, for CREATE DATABASE
}

// startCluster initialises and starts a cluster with the binaries in bin.
func startCluster(bin string) (*cluster, error) {
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		var err error
		if cred, err = postgresCredential(); err != nil {
			return nil, fmt.Errorf("start postgres: %w", err)
		}
	}
	reapOrphans(bin, cred)
	dir, err := os.MkdirTemp("", dirPattern)
	if err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	c := &cluster{bin: bin, dir: dir, cred: cred}
	if err := c.start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start postgres in %s: %w", dir, err)
	}
	return c, nil
}

func (c *cluster) start() error {
	if err := c.claim(); err != nil {
		return err
	}
	// The C locale sorts by bytes, as SQLite's BINARY collation does, whatever the host's locale.
	err := c.run("initdb", "-D", c.dataDir(), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C")
	if err != nil {
		return err
	}
	// Durability is pointless for a cluster that is deleted when the tests end.
	opts := fmt.Sprintf("-c listen_addresses='' -c unix_socket_directories='%s' "+
		"-c fsync=off -c synchronous_commit=off -c full_page_writes=off", c.dir)
	if err := c.run("pg_ctl", "-w", "-D", c.dataDir(), "-o", opts, "-l", c.logFile(), "start"); err != nil {
		err = fmt.Errorf("%w\nlast lines of %s:\n%s", err, c.logFile(), c.logTail())
		// A start that timed out may have left a server running in the directory about to go.
		c.run("pg_ctl", "-D", c.dataDir(), "-m", "immediate", "stop")
		return err
	}
	c.admin, err = sql.Open("pgx", c.url("postgres"))
	if err != nil {
		return errors.Join(fmt.Errorf("connect to postgres: %w", err), c.stop())
	}
	return nil
}

// postgresCredential returns the postgres system user, to run the cluster as when the tests
// run as root, which initdb and pg_ctl refuse.
func postgresCredential() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, which initdb refuses, and found no postgres user to run it as: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("postgres user id %q: %w", u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("postgres group id %q: %w", u.Gid, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// claim records this process as the cluster's owner and gives the directory to the user the
// server runs as.
func (c *cluster) claim() error {
	if err := os.WriteFile(filepath.Join(c.dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return fmt.Errorf("record owner: %w", err)
	}
	if c.cred == nil {
		return nil
	}
	if err := os.Chown(c.dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
		return fmt.Errorf("give %s to the postgres user: %w", c.dir, err)
	}
	return nil
}

// reapOrphans stops and deletes clusters left behind by test processes that died without
// reaching Main's cleanup, such as one killed by go test's -timeout.
func reapOrphans(bin string, cred *syscall.Credential) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPattern))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue // not ours, or still being set up
		}
		pid, err := strconv.Atoi(string(b))
		if err != nil || processAlive(pid) {
			continue
		}
		orphan := &cluster{bin: bin, dir: dir, cred: cred}
		orphan.stop()
	}
}

// processAlive reports whether a process with the given id exists.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// run runs one of the PostgreSQL binaries and returns its output with any failure.
func (c *cluster) run(name string, args ...string) error {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w\n%s", name, err, out)
	}
	return nil
}

// stop stops the server without a checkpoint and deletes its directory.
func (c *cluster) stop() error {
	var err error
	if c.admin != nil {
		err = c.admin.Close()
	}
	if stopErr := c.run("pg_ctl", "-D", c.dataDir(), "-m", "immediate", "stop"); stopErr != nil {
		err = errors.Join(err, fmt.Errorf("stop postgres: %w", stopErr))
	}
	if rmErr := os.RemoveAll(c.dir); rmErr != nil {
		err = errors.Join(err, fmt.Errorf("remove postgres directory: %w", rmErr))
	}
	return err
}

// url is the address of the named database, reached through the cluster's socket.
func (c *cluster) url(database string) string {
	q := url.Values{"host": {c.dir}, "sslmode": {"disable"}}
	return "postgres://postgres@/" + database + "?" + q.Encode()
}

func (c *cluster) dataDir() string { return filepath.Join(c.dir, "data") }

func (c *cluster) logFile() string { return filepath.Join(c.dir, "postgres.log") }

// logTail returns the end of the server's log, where the reason it failed to start will be.
func (c *cluster) logTail() string {
	const tail = 4000
	b, err := os.ReadFile(c.logFile())
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(b[max(0, len(b)-tail):])
}
