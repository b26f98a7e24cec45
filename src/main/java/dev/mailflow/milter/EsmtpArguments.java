package dev.mailflow.milter;

import dev.mailflow.smtp.MailParameters;
import dev.mailflow.smtp.RcptParameters;
import java.util.ArrayList;
import java.util.List;

/** The ESMTP arguments of MAIL and RCPT as the milter gets them, after the address: {@code SIZE=1234}. */
final class EsmtpArguments {

    private EsmtpArguments() {
    }

    static List<String> of(MailParameters p) {
        var list = new ArrayList<String>();
        if (p.size() != null) {
            list.add("SIZE=" + p.size());
        }
        if (p.body() != null) {
            list.add("BODY=" + p.body().keyword());
        }
        if (p.smtpUtf8()) {
            list.add("SMTPUTF8");
        }
        if (p.ret() != null) {
            list.add("RET=" + p.ret().name());
        }
        if (p.envId() != null) {
            list.add("ENVID=" + p.envId());
        }
        if (p.auth() != null) {
            list.add("AUTH=" + p.auth());
        }
        return list;
    }

    static List<String> of(RcptParameters p) {
        var list = new ArrayList<String>();
        if (p.notifyOn() != null && !p.notifyOn().isEmpty()) {
            list.add("NOTIFY=" + String.join(",", p.notifyOn().stream().sorted().map(Enum::name).toList()));
        }
        if (p.orcpt() != null) {
            list.add("ORCPT=" + p.orcpt());
        }
        return list;
    }
}
