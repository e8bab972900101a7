package cli

import (
	"context"
	"fmt"

	"github.com/loginprobe/loginprobe/flows"
	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/result"
)

func runCheck(ctx context.Context, env Env, args []string) int {
	var path, baseURL string
	fs := newFlagSet(env, "check", "[--config FILE] [--base-url URL]")
	fs.StringVar(&path, "config", "", "config file (default: none; settings from the environment)")
	fs.StringVar(&baseURL, "base-url", "", "show the pages as 'run --base-url URL' would open them")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, err := loadConfig(env, path)
	if err == nil && baseURL != "" {
		err = cfg.SetBaseURL(baseURL)
	}
	if err != nil {
		return fail(env, "check", err)
	}
	fmt.Fprint(env.Stdout, result.Clean(cfg.Summary()))
	for _, w := range cfg.Warnings() {
		fmt.Fprintf(env.Stdout, "warning: %s\n", result.Clean(w))
	}
	status, err := instanceStatus(ctx, cfg)
	if err != nil {
		fmt.Fprintf(env.Stdout, "instance: cannot say which OAuth providers it offers (%s)\n", result.Clean(err.Error()))
	}
	for _, n := range config.FlowNames {
		if s := status[n]; s != "" {
			fmt.Fprintf(env.Stdout, "instance: %s %s\n", n, result.Clean(s))
		}
	}
	return ExitOK
}

func runFlows(ctx context.Context, env Env, args []string) int {
	var path string
	fs := newFlagSet(env, "flows", "[--config FILE]")
	fs.StringVar(&path, "config", "", "config file (default: none; settings from the environment)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, cfgErr := loadConfig(env, path)
	var instance map[string]string
	var instanceErr error
	if cfgErr == nil {
		instance, instanceErr = instanceStatus(ctx, cfg)
	}
	for _, f := range flows.All() {
		status := "can run"
		switch {
		case cfgErr != nil:
			status = "unknown: the config is invalid"
		case !cfg.Flows[f.Name()].Enabled:
			status = "disabled in the config"
		case cfg.FlowProblem(f.Name()) != "":
			status = "cannot run: " + cfg.FlowProblem(f.Name())
		case instance[f.Name()] != "":
			status = instance[f.Name()]
		}
		browser := ""
		if f.NeedsBrowser() {
			browser = " [browser]"
		}
		fmt.Fprintf(env.Stdout, "%-15s %s%s\n%15s %s\n", f.Name(), f.Description(), browser, "", result.Clean(status))
	}
	if cfgErr != nil {
		return fail(env, "flows", cfgErr)
	}
	if instanceErr != nil {
		fmt.Fprintf(env.Stdout, "instance: cannot say which OAuth providers it offers (%s)\n", result.Clean(instanceErr.Error()))
	}
	return ExitOK
}
