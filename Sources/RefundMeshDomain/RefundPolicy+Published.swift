import RefundMeshAPI

extension RefundPolicy {
    /// R-T1: the policy as the policy API publishes it, built from this very configuration, so what
    /// users read is what the rules apply.
    public func published(locale: RefundLocale = .zhCN) -> Policy {
        Policy(
            windows: Self.productKinds.map { Policy.Window(productKind: $0, days: UInt32(windowDays(for: $0))) },
            negativeList: RefundText.negativeList.map { $0.text(locale) },
            materials: Self.grounds.map {
                Policy.MaterialRequirement(ground: $0, required: requiredMaterials(for: $0))
            },
            feeBasisPoints: UInt32(feeBasisPoints),
            arrivals: Self.paymentMethods.map { method in
                let rule = arrival(for: method)
                return Policy.Arrival(
                    method: method,
                    description: rule.text.text(locale),
                    maxWorkingDays: UInt32(rule.maxWorkingDays)
                )
            },
            balanceWithdrawable: balanceWithdrawable,
            maxWithdrawalsPerOrder: UInt32(maxWithdrawalsPerOrder),
            maxWithdrawalsPerUserPerDay: UInt32(maxWithdrawalsPerUserPerDay),
            maxAttachmentBytes: maxAttachmentBytes,
            maxAttachments: UInt32(maxAttachments),
            locale: locale.tag
        )
    }
}
