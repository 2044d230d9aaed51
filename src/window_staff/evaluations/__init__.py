"""Evaluations (服务评价标准): what people outside the centre say: delegates, citizens (好差评), service metrics."""
