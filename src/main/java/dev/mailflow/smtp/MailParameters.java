package dev.mailflow.smtp;

/**
 * The ESMTP parameters of MAIL FROM, each null (or false) when not given.
 *
 * @param size     RFC 1870 declared size in octets
 * @param body     RFC 6152 / RFC 3030 body type
 * @param smtpUtf8 RFC 6531
 * @param ret      RFC 3461 RET
 * @param envId    RFC 3461 ENVID, still xtext-encoded
 * @param auth     RFC 4954 AUTH= mailbox, still xtext-encoded ("&lt;&gt;" when unknown)
 */
public record MailParameters(Long size, BodyType body, boolean smtpUtf8, DsnReturn ret, String envId,
                             String auth) {

    public static final MailParameters NONE = new MailParameters(null, null, false, null, null, null);

    public BodyType bodyOrDefault() {
        return body == null ? BodyType.SEVEN_BIT : body;
    }
}
