package redistest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Cluster is a Redis Cluster of masters only (no replicas) on loopback, owned by one test.
type Cluster struct {
	t       testing.TB
	Servers []*Server
	client  *redis.ClusterClient
}

// clusterReady bounds how long a new cluster may take to agree that it is up.
const clusterReady = 20 * time.Second

// RequireCLI skips the test when redis-cli is missing, or fails it in CI.
func RequireCLI(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("redis-cli")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-cli not found: CI must test against a real Redis Cluster")
		}
		t.Skip("redis-cli not installed; set it up to run this test against a real Redis Cluster")
	}
	return p
}

// StartCluster starts masters redis-server processes in cluster mode on free ports, joins
// them with redis-cli --cluster create (no replicas), waits until every node says
// cluster_state:ok, and stops them all when the test ends.
func StartCluster(t testing.TB, masters int) *Cluster {
	t.Helper()
	bin := Require(t)
	cli := RequireCLI(t)
	if masters < 3 {
		t.Fatalf("a Redis Cluster needs at least 3 masters, not %d", masters)
	}
	c := &Cluster{t: t}
	addrs := make([]string, masters)
	for i := range masters {
		s := &Server{t: t, bin: bin, dir: t.TempDir(), port: freePort(t)}
		p := strconv.Itoa(s.port)
		s.args = []string{"--port", p, "--bind", "127.0.0.1", "--dir", s.dir, "--save", "", "--appendonly", "no",
			"--daemonize", "no", "--loglevel", "notice",
			"--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(s.dir, "nodes-"+p+".conf"),
			"--cluster-node-timeout", "5000"}
		s.start()
		t.Cleanup(s.Stop)
		c.Servers = append(c.Servers, s)
		addrs[i] = s.Addr()
	}

	ctx, cancel := context.WithTimeout(context.Background(), clusterReady)
	defer cancel()
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	var out bytes.Buffer
	create := exec.CommandContext(ctx, cli, args...)
	create.Stdout, create.Stderr = &out, &out
	if err := create.Run(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out.String())
	}

	// Every node must see every slot served before a client can rely on any of them: poll
	// CLUSTER INFO on each, within clusterReady.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for _, s := range c.Servers {
		n := redis.NewClient(&redis.Options{Addr: s.Addr()})
		for {
			info, err := n.ClusterInfo(ctx).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			select {
			case <-ctx.Done():
				n.Close()
				t.Fatalf("Redis Cluster node %s not ok after %v: %v %q", s.Addr(), clusterReady, err, info)
			case <-tick.C:
			}
		}
		n.Close()
	}

	c.client = redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	t.Cleanup(func() { c.client.Close() })
	// The client must learn the slots too before the test starts.
	if err := c.client.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error { return m.Ping(ctx).Err() }); err != nil {
		t.Fatalf("Redis Cluster: %v", err)
	}
	return c
}

// Client returns a cluster client for the cluster, closed when the test ends.
func (c *Cluster) Client() *redis.ClusterClient { return c.client }

// Addrs are host:port of every node.
func (c *Cluster) Addrs() []string {
	a := make([]string, len(c.Servers))
	for i, s := range c.Servers {
		a[i] = s.Addr()
	}
	return a
}

// Mentions is Mentions over every master of the cluster: "" when no key, value or member on
// any of them mentions name.
func (c *Cluster) Mentions(ctx context.Context, name string) string {
	for _, s := range c.Servers {
		n := redis.NewClient(&redis.Options{Addr: s.Addr()})
		m := Mentions(ctx, n, name)
		n.Close()
		if m != "" {
			return s.Addr() + ": " + m
		}
	}
	return ""
}

// Keys counts the keys on every master of the cluster.
func (c *Cluster) Keys(ctx context.Context) int64 {
	var total int64
	for _, s := range c.Servers {
		n := redis.NewClient(&redis.Options{Addr: s.Addr()})
		total += n.DBSize(ctx).Val()
		n.Close()
	}
	return total
}
