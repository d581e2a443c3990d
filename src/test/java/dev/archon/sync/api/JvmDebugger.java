package dev.archon.sync.api;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.Field;
import com.sun.jdi.IncompatibleThreadStateException;
import com.sun.jdi.Method;
import com.sun.jdi.ObjectReference;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.StringReference;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.Value;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.AttachingConnector;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.connect.IllegalConnectorArgumentsException;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.ClassPrepareEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.event.StepEvent;
import com.sun.jdi.event.VMDeathEvent;
import com.sun.jdi.event.VMDisconnectEvent;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.ClassPrepareRequest;
import com.sun.jdi.request.EventRequest;
import com.sun.jdi.request.EventRequestManager;
import com.sun.jdi.request.StepRequest;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Holds one thread of the service process at an exact point of a sync — "the phase has just started",
 * "validation holds everything open" — through the JDK's debugger interface (JDWP), so a test can SIGKILL
 * or cancel the sync at that point without a hook in the service and without racing it. Only the one
 * thread stops; the service keeps answering HTTP.
 */
final class JvmDebugger implements AutoCloseable {
    /** Where to hold: a method of a class; {@code phase} (the first argument's enum name) narrows it; {@code afterReturn} steps out first. */
    record Point(String className, String method, String phase, boolean afterReturn) {
        static Point phaseStarted(String phase) {
            return new Point("dev.archon.sync.engine.SyncJob", "enterPhase", phase, true);
        }

        static Point entering(String className, String method) {
            return new Point(className, method, null, false);
        }

        @Override
        public String toString() {
            return phase != null ? "phase " + phase.toLowerCase() + " started" : className.substring(className.lastIndexOf('.') + 1) + "." + method;
        }
    }

    private final VirtualMachine vm;
    private final EventRequestManager requests;
    private volatile Point armed;
    private volatile CompletableFuture<ThreadReference> held;

    private JvmDebugger(VirtualMachine vm) {
        this.vm = vm;
        this.requests = vm.eventRequestManager();
        Thread loop = new Thread(this::events, "jdi-events");
        loop.setDaemon(true);
        loop.start();
    }

    static JvmDebugger attach(int port) throws IOException {
        AttachingConnector socket = Bootstrap.virtualMachineManager().attachingConnectors().stream()
                .filter(c -> c.name().equals("com.sun.jdi.SocketAttach")).findFirst().orElseThrow();
        Map<String, Connector.Argument> args = socket.defaultArguments();
        args.get("hostname").setValue("127.0.0.1");
        args.get("port").setValue(String.valueOf(port));
        try {
            return new JvmDebugger(socket.attach(args));
        } catch (IllegalConnectorArgumentsException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Arms the point (once): the future completes with the held thread when a sync reaches it. */
    synchronized CompletableFuture<ThreadReference> holdAt(Point point) {
        armed = point;
        held = new CompletableFuture<>();
        List<ReferenceType> loaded = vm.classesByName(point.className());
        loaded.forEach(this::install);
        ClassPrepareRequest prepare = requests.createClassPrepareRequest();
        prepare.addClassFilter(point.className());
        prepare.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
        prepare.enable();
        return held;
    }

    /** Lets the held thread go on. */
    void resume(ThreadReference thread) {
        thread.resume();
    }

    private synchronized void install(ReferenceType type) {
        Point p = armed;
        if (p == null || !type.name().equals(p.className())) {
            return;
        }
        for (Method m : type.methodsByName(p.method())) {
            if (m.location() == null) {
                continue;
            }
            BreakpointRequest bp = requests.createBreakpointRequest(m.location());
            bp.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
            bp.putProperty(Point.class, p);
            bp.enable();
        }
    }

    private void events() {
        try {
            while (true) {
                EventSet set = vm.eventQueue().remove();
                boolean resume = true;
                for (Event ev : set) {
                    if (ev instanceof VMDeathEvent || ev instanceof VMDisconnectEvent) {
                        CompletableFuture<ThreadReference> h = held;
                        if (h != null) {
                            h.completeExceptionally(new IllegalStateException("the service ended before " + armed));
                        }
                        return;
                    }
                    if (ev instanceof ClassPrepareEvent cpe) {
                        install(cpe.referenceType());
                    } else if (ev instanceof BreakpointEvent bp && bp.request().getProperty(Point.class) == armed && matches(bp)) {
                        Point p = armed;
                        disarm();
                        if (p.afterReturn()) {
                            StepRequest out = requests.createStepRequest(bp.thread(), StepRequest.STEP_LINE, StepRequest.STEP_OUT);
                            out.addCountFilter(1);
                            out.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
                            out.enable();
                        } else {
                            resume = false;
                            held.complete(bp.thread());
                        }
                    } else if (ev instanceof StepEvent step) {
                        requests.deleteEventRequest(step.request());
                        resume = false;
                        held.complete(step.thread());
                    }
                }
                if (resume) {
                    set.resume();
                }
            }
        } catch (InterruptedException | com.sun.jdi.VMDisconnectedException e) {
            CompletableFuture<ThreadReference> h = held;
            if (h != null) {
                h.completeExceptionally(new IllegalStateException("the service ended before " + armed));
            }
        }
    }

    private boolean matches(BreakpointEvent bp) {
        Point p = armed;
        if (p == null) {
            return false;
        }
        if (p.phase() == null) {
            return true;
        }
        try {
            Value arg = bp.thread().frame(0).getArgumentValues().get(0);
            if (!(arg instanceof ObjectReference e)) {
                return false;
            }
            Field name = e.referenceType().fieldByName("name");
            return name != null && e.getValue(name) instanceof StringReference s && s.value().equals(p.phase());
        } catch (IncompatibleThreadStateException e) {
            return false;
        }
    }

    private synchronized void disarm() {
        requests.deleteEventRequests(List.copyOf(requests.breakpointRequests()));
        requests.deleteEventRequests(List.copyOf(requests.classPrepareRequests()));
    }

    @Override
    public void close() {
        try {
            disarm();
            vm.dispose();
        } catch (com.sun.jdi.VMDisconnectedException gone) {
            // the process is dead already
        }
    }
}
