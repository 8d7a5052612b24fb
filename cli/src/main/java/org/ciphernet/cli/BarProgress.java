package org.ciphernet.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.ciphernet.harness.Progress;

/** Shows the harness's long steps as progress bars on standard error. */
final class BarProgress implements Progress {
    private ProgressBar bar;

    @Override
    public void start(String step, long total) {
        bar = new ProgressBarBuilder().setTaskName(step).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200).setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
    }

    @Override
    public void advance() {
        bar.step();
    }

    @Override
    public void finish() {
        bar.close();
    }
}
