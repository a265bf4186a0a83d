// Command paykit runs the paykit sandbox and demo and checks credentials for the MTN MoMo
// and Vipps MobilePay APIs.
//
//	paykit demo                       the end-to-end demo against an in-process sandbox
//	paykit sandbox --addr HOST:PORT   serve the sandbox for other services' tests
//	paykit momo provision             create a MoMo sandbox API user and key
//	paykit vipps token                check Vipps credentials by fetching a token
//
// Secrets are read from the environment or from files, never from flags. Run
// `paykit help COMMAND` or `paykit COMMAND --help` for the flags of each command.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and failed
	exitUsage = 2 // the command line was wrong
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := newCLI(os.Stdout, os.Stderr).run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// cli runs one command line. Tests build it with their own writers and hooks.
type cli struct {
	stdout, stderr io.Writer
	// serving, when set, is called with the base URL once `paykit sandbox` listens.
	serving func(baseURL string)
}

func newCLI(stdout, stderr io.Writer) *cli { return &cli{stdout: stdout, stderr: stderr} }

// command is one paykit command.
type command struct {
	// name is the words that select it, e.g. "momo provision".
	name string
	// summary is its one-line description in `paykit help`.
	summary string
	// flags returns its flag set and the function that runs it once the flags are parsed.
	flags func(c *cli) (*flag.FlagSet, usage, func(ctx context.Context) int)
}

// usage is a command's help text: the synopsis, a description and notes after the flags.
type usage struct {
	synopsis, about, notes string
}

// commands lists every command, in the order `paykit help` shows them.
var commands = []command{
	{name: "demo", summary: "run the end-to-end demo of both API families (in-process sandbox by default)", flags: demoCommand},
	{name: "sandbox", summary: "serve the MoMo and Vipps sandbox over HTTP for other services' tests", flags: sandboxCommand},
	{name: "momo provision", summary: "create an API user and key on a MoMo sandbox", flags: momoProvisionCommand},
	{name: "vipps token", summary: "check Vipps credentials by fetching an access token", flags: vippsTokenCommand},
}

// run runs the command line args (without the program name) and returns the exit code.
func (c *cli) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		c.printUsage(c.stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		return c.help(args[1:])
	}
	cmd, rest, err := find(args)
	if err != nil {
		fmt.Fprintf(c.stderr, "paykit: %v\n\n", err)
		c.printUsage(c.stderr)
		return exitUsage
	}
	fs, u, runCmd := cmd.flags(c)
	fs.SetOutput(io.Discard) // errors and help are printed below, each to its stream
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.printCommand(c.stdout, cmd, fs, u)
			return exitOK
		}
		fmt.Fprintf(c.stderr, "paykit %s: %v\n\n", cmd.name, err)
		c.printCommand(c.stderr, cmd, fs, u)
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(c.stderr, "paykit %s: unexpected argument %q\n\n", cmd.name, fs.Arg(0))
		c.printCommand(c.stderr, cmd, fs, u)
		return exitUsage
	}
	return runCmd(ctx)
}

// find returns the command args select and the arguments after its name.
func find(args []string) (command, []string, error) {
	for _, cmd := range commands {
		words := strings.Fields(cmd.name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == cmd.name {
			return cmd, args[len(words):], nil
		}
	}
	var group []string
	for _, cmd := range commands {
		if first, _, ok := strings.Cut(cmd.name, " "); ok && first == args[0] {
			group = append(group, cmd.name)
		}
	}
	if len(group) > 0 {
		return command{}, nil, fmt.Errorf("%q needs a subcommand: %s", args[0], strings.Join(group, ", "))
	}
	return command{}, nil, fmt.Errorf("unknown command %q", args[0])
}

// help prints the overall usage, or a command's when args name one.
func (c *cli) help(args []string) int {
	if len(args) == 0 {
		c.printUsage(c.stdout)
		return exitOK
	}
	cmd, rest, err := find(args)
	if err != nil || len(rest) > 0 {
		if err == nil {
			err = fmt.Errorf("unexpected argument %q", rest[0])
		}
		fmt.Fprintf(c.stderr, "paykit help: %v\n\n", err)
		c.printUsage(c.stderr)
		return exitUsage
	}
	fs, u, _ := cmd.flags(c)
	c.printCommand(c.stdout, cmd, fs, u)
	return exitOK
}

func (c *cli) printUsage(w io.Writer) {
	fmt.Fprint(w, "paykit: the paykit sandbox, demo and credential checks for MTN MoMo and Vipps MobilePay.\n\n")
	fmt.Fprint(w, "Usage: paykit COMMAND [flags]\n\nCommands:\n")
	for _, cmd := range commands {
		fmt.Fprintf(w, "  %-16s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprint(w, "  help [COMMAND]   show this text or a command's flags\n\n")
	fmt.Fprint(w, "Secrets come from environment variables or files, never from flags.\n")
	fmt.Fprint(w, "Exit status: 0 success, 1 failure, 2 usage error.\n")
}

func (c *cli) printCommand(w io.Writer, cmd command, fs *flag.FlagSet, u usage) {
	fmt.Fprintf(w, "Usage: paykit %s %s\n\n%s\n", cmd.name, u.synopsis, strings.TrimSpace(u.about))
	fmt.Fprint(w, "\nFlags:\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	if u.notes != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(u.notes))
	}
}
