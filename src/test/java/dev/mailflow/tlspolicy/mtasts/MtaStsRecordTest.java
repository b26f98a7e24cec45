package dev.mailflow.tlspolicy.mtasts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailflow.dns.TxtRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 8461 3.1: the {@code _mta-sts} TXT record. */
class MtaStsRecordTest {

    private static MtaStsRecord.Result select(TxtRecord... records) {
        return MtaStsRecord.select(List.of(records));
    }

    @Test
    void theRfcExampleGivesItsId() {
        assertThat(MtaStsRecord.parse("v=STSv1; id=20160831085700Z;"))
                .isEqualTo(new MtaStsRecord.Found(new MtaStsRecord("20160831085700Z")));
    }

    @Test
    void extensionFieldsAreIgnoredAndTheFinalDelimiterIsOptional() {
        assertThat(MtaStsRecord.parse("v=STSv1;id=abc123 ;  ext_1=some-value"))
                .isEqualTo(new MtaStsRecord.Found(new MtaStsRecord("abc123")));
        assertThat(MtaStsRecord.parse("v=STSv1; id=X")).isInstanceOf(MtaStsRecord.Found.class);
    }

    @Test
    void theStringsOfOneRecordAreJoinedWithoutSpaces() {
        assertThat(select(TxtRecord.of("v=STSv1; id=2024", "0101"))).isEqualTo(
                new MtaStsRecord.Found(new MtaStsRecord("20240101")));
    }

    @Test
    void otherTxtRecordsAreDiscarded() {
        assertThat(select(TxtRecord.of("v=spf1 -all"), TxtRecord.of("v=STSv1; id=1")))
                .isEqualTo(new MtaStsRecord.Found(new MtaStsRecord("1")));
    }

    @Test
    void twoStsRecordsAreNoRecord() {
        assertThat(select(TxtRecord.of("v=STSv1; id=1"), TxtRecord.of("v=STSv1; id=2")))
                .isEqualTo(new MtaStsRecord.Absent("2 TXT records begin with v=STSv1 (RFC 8461 3.1 allows one)"));
    }

    @Test
    void noStsRecordIsNoRecord() {
        assertThat(select(TxtRecord.of("hello"))).isEqualTo(new MtaStsRecord.Absent("no TXT record begins with v=STSv1"));
    }

    @Test
    void invalidRecordsSayWhy() {
        assertThat(MtaStsRecord.parse("v=STSv1;")).isEqualTo(new MtaStsRecord.Absent("the record has no id field"));
        assertThat(MtaStsRecord.parse("v=STSv1")).isEqualTo(new MtaStsRecord.Absent("the record has no id field"));
        assertThat(MtaStsRecord.parse("v=STSv1; ext=1")).isEqualTo(new MtaStsRecord.Absent("the record has no id field"));
        assertThat(MtaStsRecord.parse("v=STSv1; id=abc-def")).isEqualTo(
                new MtaStsRecord.Absent("id \"abc-def\" is not 1 to 32 letters and digits"));
        assertThat(MtaStsRecord.parse("v=STSv1; id=" + "1".repeat(33))).isInstanceOf(MtaStsRecord.Absent.class);
        assertThat(MtaStsRecord.parse("v=STSv1; id=1; id=2")).isEqualTo(
                new MtaStsRecord.Absent("the record has two id fields"));
        assertThat(MtaStsRecord.parse("v=STSv1; id=1; junk")).isEqualTo(
                new MtaStsRecord.Absent("\"junk\" is not a name=value field"));
        assertThat(MtaStsRecord.parse("v=STSv1; id=1; x=a=b")).isEqualTo(
                new MtaStsRecord.Absent("\"x=a=b\" is not a valid field"));
        assertThat(MtaStsRecord.parse("v=STSv1id=1")).isInstanceOf(MtaStsRecord.Absent.class);
        assertThat(MtaStsRecord.parse("v=stsv1; id=1")).isInstanceOf(MtaStsRecord.Absent.class);
        assertThat(MtaStsRecord.parse("V=STSv1; id=1")).isInstanceOf(MtaStsRecord.Absent.class);
    }

    @Test
    void theRecordToPublish() {
        assertThat(new MtaStsRecord("abc").text()).isEqualTo("v=STSv1; id=abc");
    }
}
