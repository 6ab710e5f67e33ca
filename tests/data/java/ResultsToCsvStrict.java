/*
 * ResultsToCsvStrict - reads a directory of result files as OMB's ResultsToCsv does, to check
 * that omb's results are accepted unchanged (tests/integration/t_results_omb_tools.sh).
 *
 * What it shares with OMB's tool (benchmark-framework/.../ResultsToCsv.java):
 *   - every regular file of the directory whose path ends in ".json", in sorted order, is
 *     read (nothing else: omb's sidecars X.omb are never opened);
 *   - each one with a new default Jackson ObjectMapper, into a TestResult class whose public
 *     fields are exactly OMB's (benchmark-framework/.../TestResult.java), so an unknown
 *     property fails (FAIL_ON_UNKNOWN_PROPERTIES is on by default);
 *   - the rows are sorted by messageSize, topics, partitions and written as
 *     results-<epoch seconds>.csv in the current directory with OMB's 13 columns.
 * The rate statistics are computed directly (OMB records the rates in an HdrHistogram: the
 * figures may differ in the last digits; this test is about reading, not about them).
 *
 * Usage: java -cp jackson-databind.jar:jackson-core.jar:jackson-annotations.jar:. \
 *            ResultsToCsvStrict DIR [EXPECTED_COUNT]
 * Exit 0: every file read (and EXPECTED_COUNT of them when given); 1: a file failed, with
 * Jackson's message; 2: usage.
 */
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.FileWriter;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

public class ResultsToCsvStrict {

    /** OMB's TestResult: the same public fields, names and types, nothing else. */
    public static class TestResult {
        public String workload;
        public String driver;
        public long messageSize;
        public int topics;
        public int partitions;
        public int producersPerTopic;
        public int consumersPerTopic;

        public List<Double> publishRate = new ArrayList<>();
        public List<Double> publishErrorRate = new ArrayList<>();
        public List<Double> consumeRate = new ArrayList<>();
        public List<Long> backlog = new ArrayList<>();

        public List<Double> publishLatencyAvg = new ArrayList<>();
        public List<Double> publishLatency50pct = new ArrayList<>();
        public List<Double> publishLatency75pct = new ArrayList<>();
        public List<Double> publishLatency95pct = new ArrayList<>();
        public List<Double> publishLatency99pct = new ArrayList<>();
        public List<Double> publishLatency999pct = new ArrayList<>();
        public List<Double> publishLatency9999pct = new ArrayList<>();
        public List<Double> publishLatencyMax = new ArrayList<>();

        public List<Double> publishDelayLatencyAvg = new ArrayList<>();
        public List<Long> publishDelayLatency50pct = new ArrayList<>();
        public List<Long> publishDelayLatency75pct = new ArrayList<>();
        public List<Long> publishDelayLatency95pct = new ArrayList<>();
        public List<Long> publishDelayLatency99pct = new ArrayList<>();
        public List<Long> publishDelayLatency999pct = new ArrayList<>();
        public List<Long> publishDelayLatency9999pct = new ArrayList<>();
        public List<Long> publishDelayLatencyMax = new ArrayList<>();

        public double aggregatedPublishLatencyAvg;
        public double aggregatedPublishLatency50pct;
        public double aggregatedPublishLatency75pct;
        public double aggregatedPublishLatency95pct;
        public double aggregatedPublishLatency99pct;
        public double aggregatedPublishLatency999pct;
        public double aggregatedPublishLatency9999pct;
        public double aggregatedPublishLatencyMax;

        public double aggregatedPublishDelayLatencyAvg;
        public long aggregatedPublishDelayLatency50pct;
        public long aggregatedPublishDelayLatency75pct;
        public long aggregatedPublishDelayLatency95pct;
        public long aggregatedPublishDelayLatency99pct;
        public long aggregatedPublishDelayLatency999pct;
        public long aggregatedPublishDelayLatency9999pct;
        public long aggregatedPublishDelayLatencyMax;

        public Map<Double, Double> aggregatedPublishLatencyQuantiles = new TreeMap<>();
        public Map<Double, Long> aggregatedPublishDelayLatencyQuantiles = new TreeMap<>();

        public List<Double> endToEndLatencyAvg = new ArrayList<>();
        public List<Double> endToEndLatency50pct = new ArrayList<>();
        public List<Double> endToEndLatency75pct = new ArrayList<>();
        public List<Double> endToEndLatency95pct = new ArrayList<>();
        public List<Double> endToEndLatency99pct = new ArrayList<>();
        public List<Double> endToEndLatency999pct = new ArrayList<>();
        public List<Double> endToEndLatency9999pct = new ArrayList<>();
        public List<Double> endToEndLatencyMax = new ArrayList<>();

        public Map<Double, Double> aggregatedEndToEndLatencyQuantiles = new TreeMap<>();

        public double aggregatedEndToEndLatencyAvg;
        public double aggregatedEndToEndLatency50pct;
        public double aggregatedEndToEndLatency75pct;
        public double aggregatedEndToEndLatency95pct;
        public double aggregatedEndToEndLatency99pct;
        public double aggregatedEndToEndLatency999pct;
        public double aggregatedEndToEndLatency9999pct;
        public double aggregatedEndToEndLatencyMax;

        public int getTopics() {
            return topics;
        }

        public int getPartitions() {
            return partitions;
        }

        public long getMessageSize() {
            return messageSize;
        }
    }

    /** min (of the non-zero rates, as OMB's getMinNonZeroValue), mean, stddev, max. */
    private static String rateColumns(List<Double> rates) {
        long min = 0, max = 0;
        double sum = 0, sq = 0;
        int n = 0;
        for (Double d : rates) {
            if (d == null || d.isNaN()) continue;
            long v = d.longValue();
            if (v > 0 && (min == 0 || v < min)) min = v;
            if (v > max) max = v;
            sum += v;
            n++;
        }
        double mean = n > 0 ? sum / n : 0;
        for (Double d : rates) {
            if (d == null || d.isNaN()) continue;
            double e = d.longValue() - mean;
            sq += e * e;
        }
        double sd = n > 0 ? Math.sqrt(sq / n) : 0;
        return String.format(Locale.ROOT, "%d,%.0f,%.2f,%d", min, mean, sd, max);
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: ResultsToCsvStrict DIR [EXPECTED_COUNT]");
            System.exit(2);
        }
        File[] listing = new File(args[0]).listFiles();
        if (listing == null) {
            System.err.println("Not a directory: " + args[0]);
            System.exit(2);
        }
        Arrays.sort(listing);
        List<TestResult> results = new ArrayList<>();
        for (File file : listing) {
            if (!file.isFile() || !file.getAbsolutePath().endsWith(".json")) continue;
            try {
                ObjectMapper mapper = new ObjectMapper(); // OMB's: default settings, strict
                results.add(mapper.readValue(new File(file.getAbsolutePath()), TestResult.class));
                System.out.println("read " + file.getName());
            } catch (IOException e) {
                System.err.println("FAIL " + file.getName() + ": " + e.getClass().getName() + ": "
                        + e.getMessage());
                System.exit(1);
            }
        }
        results.sort(Comparator.comparing(TestResult::getMessageSize)
                .thenComparing(TestResult::getTopics)
                .thenComparing(TestResult::getPartitions));
        List<String> lines = new ArrayList<>();
        lines.add("topics,partitions,message-size,producers-per-topic,consumers-per-topic,"
                + "prod-rate-min,prod-rate-avg,prod-rate-std-dev,prod-rate-max,"
                + "con-rate-min,con-rate-avg,con-rate-std-dev,con-rate-max,");
        for (TestResult tr : results) {
            lines.add(tr.topics + "," + tr.partitions + "," + tr.messageSize + ","
                    + tr.producersPerTopic + "," + tr.consumersPerTopic + ","
                    + rateColumns(tr.publishRate) + "," + rateColumns(tr.consumeRate));
        }
        String name = "results-" + Instant.now().getEpochSecond() + ".csv";
        try (FileWriter w = new FileWriter(name)) {
            for (String l : lines) w.write(l + System.lineSeparator());
        }
        System.out.println("Results extracted into CSV " + name + " (" + results.size()
                + " results)");
        if (args.length == 2 && results.size() != Integer.parseInt(args[1])) {
            System.err.println("FAIL: read " + results.size() + " results, expected " + args[1]);
            System.exit(1);
        }
    }
}
