package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"taskrelay/examples"
	"taskrelay/internal/config"
	"taskrelay/internal/directory"
	"taskrelay/internal/relay"
	"taskrelay/internal/relayclient"
)

// ProvinceOutput is what --counties prints with --json: K counties on one engine and
// one worker process (TEMPORAL_NAMESPACES), each relaying the same N-item list at once.
type ProvinceOutput struct {
	Engine   string      `json:"engine"`
	Counties int         `json:"counties"`
	N        int         `json:"n_per_county"`
	Rows     []CountyRow `json:"per_county"`
	// TotalS is from the first submit until every county's relay returned; ReadyS
	// until every county's tasks had run their first workflow task too.
	TotalS float64 `json:"total_relay_s"`
	ReadyS float64 `json:"total_ready_s"`
	Open   int     `json:"open_tasks"`
	// Actions: 20 clients report progress on random tasks of random counties.
	Actions Actions `json:"actions"`
	RSSMB   float64 `json:"worker_peak_rss_mb"`
}

// CountyRow is one county's relay, measured from the common start.
type CountyRow struct {
	Namespace string  `json:"namespace"`
	RelayS    float64 `json:"relay_s"`
	ReadyS    float64 `json:"ready_s"`
}

// countyNames are the bench's namespaces: county-01, county-02, …
func countyNames(k int) []string {
	out := make([]string, k)
	for i := range out {
		out[i] = fmt.Sprintf("county-%02d", i+1)
	}
	return out
}

// runProvince measures a province: one worker process serving o.counties counties
// (each its own namespace, the engine created them all), every county adopting an
// o.perCounty-item list at the same moment, as on a day all counties' committees meet.
func runProvince(ctx context.Context, o options, engCfg config.Config, tmp string, ui *ui) error {
	names := countyNames(o.counties)
	ui.phase(fmt.Sprintf("启动工作进程：%d 个县（命名空间）", len(names)))
	env := append(engCfg.DialTLS().Env(), "TEMPORAL_NAMESPACES="+strings.Join(names, ","), "TEMPORAL_NAMESPACE="+names[0])
	child, err := startWorker(engCfg.EngineAddr, filepath.Join(tmp, "worker"), o.profile, env...)
	if err != nil {
		return err
	}
	defer child.stop()
	engCfg.Namespace = names[0]
	base, err := relayclient.Dial(ctx, engCfg, nil, 0)
	if err != nil {
		return err
	}
	defer base.Close()
	acs := make([]*relayclient.Client, len(names))
	for i, ns := range names {
		if acs[i], err = base.InNamespace(ctx, ns, nil); err != nil {
			return err
		}
		if i > 0 {
			defer acs[i].Close()
		}
	}
	dir, err := directory.Parse(examples.DirectoryFile, examples.Directory)
	if err != nil {
		return err
	}
	// The same meeting id in every county: a namespace keeps each county's ids apart.
	plan, err := makePlan(dir, fmt.Sprintf("province-%d", o.perCounty), o.perCounty)
	if err != nil {
		return err
	}
	for i, ns := range names {
		if err := settle(ctx, acs[i].T, ns); err != nil {
			return err
		}
	}
	ui.phase(fmt.Sprintf("流转：%d 个县同时各 %d 项", len(names), o.perCounty))
	out := ProvinceOutput{Engine: o.engine, Counties: len(names), N: o.perCounty, Rows: make([]CountyRow, len(names))}
	silent := newUI(false)
	t0 := time.Now()
	err = parallel(len(names), len(names), func(i int) error {
		took, ready, err := relayList(ctx, acs[i], names[i], plan, silent)
		out.Rows[i] = CountyRow{Namespace: names[i], RelayS: round3(took.Seconds()), ReadyS: round3(ready.Seconds())}
		return err
	})
	if err != nil {
		return err
	}
	for _, r := range out.Rows {
		out.TotalS = max(out.TotalS, r.RelayS)
		out.ReadyS = max(out.ReadyS, r.ReadyS)
		ui.done(fmt.Sprintf("%s：流转 %.2f 秒，全部就绪 %.2f 秒", r.Namespace, r.RelayS, r.ReadyS))
	}
	ui.done(fmt.Sprintf("全部 %d 个县：%.2f 秒（墙钟 %.2f 秒）", len(names), out.TotalS, time.Since(t0).Seconds()))
	out.Open = len(names) * o.perCounty
	for i, ns := range names {
		if err := settle(ctx, acs[i].T, ns); err != nil {
			return err
		}
	}
	ui.phase(fmt.Sprintf("单位操作：%d 个客户端，%d 个县的 %d 项任务中随机", actionClients, len(names), out.Open))
	counties := make([]target, len(acs))
	for i, ac := range acs {
		counties[i] = among(ac, plan.Items, plan.Meeting.ID)
	}
	anyCounty := func(rng *rand.Rand) (*relayclient.Client, string, relay.Item) {
		return counties[rng.IntN(len(counties))](rng)
	}
	if out.Actions, err = actions(ctx, anyCounty, out.Open, o.actionsFor, ui); err != nil {
		return err
	}
	out.Actions.Open = out.Open
	ui.done(out.Actions.describe())
	_, rss, err := procMemMB(child.cmd.Process.Pid)
	if err != nil {
		return err
	}
	out.RSSMB = round3(rss)
	if o.json {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	printProvince(out)
	return nil
}

func printProvince(out ProvinceOutput) {
	store := map[string]string{"sqlite": "SQLite 文件", "postgres": "PostgreSQL"}[out.Engine]
	fmt.Printf("\ntaskrelay 省级性能测试：%d 个县（各自的命名空间）同时各流转 %d 项，一个引擎（%s），一个工作进程\n\n", out.Counties, out.N, store)
	fmt.Println("流转：提交到全部任务启动、交办单写出；全部就绪：每个新任务的首个工作流任务也已执行。均自同一起点计时。")
	fmt.Printf("%-12s %10s %14s\n", "县", "流转(秒)", "全部就绪(秒)")
	for _, r := range out.Rows {
		fmt.Printf("%-12s %12.2f %16.2f\n", r.Namespace, r.RelayS, r.ReadyS)
	}
	fmt.Printf("%-12s %12.2f %16.2f\n", "全部", out.TotalS, out.ReadyS)
	fmt.Printf("\n单位操作（%d 个客户端，各县任务中随机）：%s\n", actionClients, out.Actions.describe())
	fmt.Printf("工作进程峰值内存：%.1f MB（%d 项在办任务，%d 个县）\n", out.RSSMB, out.Open, out.Counties)
}
